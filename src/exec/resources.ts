/**
 * Resource pools: CPU slots (`-j`), GPU *ids* and memory. Waiting requests are granted in priority
 * order (the critical path first), and a job asking for 2 GPUs gets two specific free ids.
 */
export interface Request {
  cpu: number
  gpu: number
  memGB: number
}

export interface Grant {
  cpu: number
  gpus: string[]
  memGB: number
}

interface Waiter {
  req: Request
  priority: number
  seq: number
  resolve(g: Grant): void
  reject(e: unknown): void
}

export class ResourcePool {
  #cpuFree: number
  #gpuFree: string[]
  #memFree: number
  #waiting: Waiter[] = []
  #seq = 0
  /** Waiters asking for less than one CPU slot: with none, a drain with no whole slot free stops. */
  #small = 0
  /** Called after every drain (see `starved`): the build admits more ready targets then. */
  onDrain: (() => void) | undefined

  constructor(
    readonly cpu: number,
    readonly gpus: readonly string[],
    readonly memGB: number,
  ) {
    this.#cpuFree = cpu
    this.#gpuFree = [...gpus]
    this.#memFree = memGB
  }

  /** Can this request ever be satisfied by the pool? (Checked before a build starts.) */
  fits(req: Request): boolean {
    return Math.min(req.cpu, this.cpu) <= this.cpu && req.gpu <= this.gpus.length && req.memGB <= this.memGB
  }

  /** How many requests wait for resources. */
  get waiting(): number {
    return this.#waiting.length
  }

  /** The lowest priority among waiting requests; undefined when none waits. */
  get lowestPriority(): number | undefined {
    return this.#waiting[this.#waiting.length - 1]?.priority
  }

  #starved = false

  /**
   * True when the last drain left a whole CPU slot free although requests wait (each needs a GPU
   * or memory that is taken), and nothing was acquired or released since: a CPU-only request
   * would start at once.
   */
  get starved(): boolean {
    return this.#starved
  }

  #watched = new WeakSet<AbortSignal>()

  acquire(req: Request, priority: number, signal?: AbortSignal): Promise<Grant> {
    this.#starved = false
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason)
      const w: Waiter = { req, priority, seq: this.#seq++, resolve, reject }
      // Sorted insert (highest priority first, then arrival): thousands of waiters are common,
      // and re-sorting or adding one abort listener per waiter made a 10k build superlinear.
      let lo = 0
      let hi = this.#waiting.length
      while (lo < hi) {
        const mid = (lo + hi) >> 1
        const m = this.#waiting[mid]!
        if (m.priority > w.priority || (m.priority === w.priority && m.seq < w.seq)) lo = mid + 1
        else hi = mid
      }
      this.#waiting.splice(lo, 0, w)
      if (Math.min(req.cpu, this.cpu) < 1) this.#small++
      if (signal && !this.#watched.has(signal)) {
        this.#watched.add(signal)
        signal.addEventListener(
          'abort',
          () => {
            this.#small = 0
            for (const x of this.#waiting.splice(0)) x.reject(signal.reason)
          },
          { once: true },
        )
      }
      this.#scheduleDrain()
    })
  }

  #scheduled = false

  /**
   * Grants are made once per event-loop turn, not on arrival: targets that become ready together
   * (their fingerprints resolve in the same turn) then start in critical-path order, instead of
   * whichever finished hashing first taking the free slot.
   */
  #scheduleDrain(): void {
    if (this.#scheduled) return
    this.#scheduled = true
    setImmediate(() => {
      this.#scheduled = false
      this.#drain()
    })
  }

  release(g: Grant): void {
    this.#starved = false
    this.#cpuFree += g.cpu
    this.#gpuFree.push(...g.gpus)
    this.#gpuFree.sort((a, b) => this.gpus.indexOf(a) - this.gpus.indexOf(b))
    this.#memFree += g.memGB
    this.#scheduleDrain()
  }

  #drain(): void {
    // The list is kept in priority order (highest first; among equals, first come first served).
    // Only jobs that fit are started; the order is kept. Once no whole CPU slot is free, nothing
    // left can fit (unless some waiter asks for less than one): the scan stops there, or every
    // release would walk all waiters (a 10k build spent ~1.5 s of CPU here).
    for (let i = 0; i < this.#waiting.length; ) {
      if (this.#cpuFree < 1 && this.#small === 0) break
      const w = this.#waiting[i]!
      const cpu = Math.min(w.req.cpu, this.cpu)
      if (cpu <= this.#cpuFree && w.req.gpu <= this.#gpuFree.length && w.req.memGB <= this.#memFree) {
        this.#waiting.splice(i, 1)
        if (cpu < 1) this.#small--
        this.#cpuFree -= cpu
        this.#memFree -= w.req.memGB
        const gpus = this.#gpuFree.splice(0, w.req.gpu)
        w.resolve({ cpu, gpus, memGB: w.req.memGB })
      } else i++
    }
    this.#starved = this.#waiting.length > 0 && this.#cpuFree >= 1
    this.onDrain?.()
  }
}
