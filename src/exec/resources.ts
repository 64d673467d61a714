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

  acquire(req: Request, priority: number, signal?: AbortSignal): Promise<Grant> {
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const i = this.#waiting.indexOf(w)
        if (i >= 0) {
          this.#waiting.splice(i, 1)
          reject(signal?.reason)
        }
      }
      const w: Waiter = {
        req,
        priority,
        seq: this.#seq++,
        resolve: (g) => {
          signal?.removeEventListener('abort', onAbort)
          resolve(g)
        },
        reject,
      }
      this.#waiting.push(w)
      signal?.addEventListener('abort', onAbort)
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
    this.#cpuFree += g.cpu
    this.#gpuFree.push(...g.gpus)
    this.#gpuFree.sort((a, b) => this.gpus.indexOf(a) - this.gpus.indexOf(b))
    this.#memFree += g.memGB
    this.#scheduleDrain()
  }

  #drain(): void {
    // Highest priority first; among equals, first come first served. A big job at the head is not
    // overtaken by smaller ones forever: only jobs that fit are started, the order is kept.
    this.#waiting.sort((a, b) => b.priority - a.priority || a.seq - b.seq)
    for (let i = 0; i < this.#waiting.length; ) {
      const w = this.#waiting[i]!
      const cpu = Math.min(w.req.cpu, this.cpu)
      if (cpu <= this.#cpuFree && w.req.gpu <= this.#gpuFree.length && w.req.memGB <= this.#memFree) {
        this.#waiting.splice(i, 1)
        this.#cpuFree -= cpu
        this.#memFree -= w.req.memGB
        const gpus = this.#gpuFree.splice(0, w.req.gpu)
        w.resolve({ cpu, gpus, memGB: w.req.memGB })
      } else i++
    }
  }
}
