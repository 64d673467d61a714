/**
 * Targets whose upstream results are all known, waiting to be visited: a binary heap, highest
 * priority (longest critical path) first, then first come first served (the order the resource
 * pool grants in, so the bounded look-ahead of build.ts admits the targets the pool would start).
 */
export class ReadyQueue {
  #ids: string[] = []
  #priorities: number[] = []
  #seqs: number[] = []
  #seq = 0

  get size(): number {
    return this.#ids.length
  }

  /** The priority of the next target; undefined when empty. */
  get topPriority(): number | undefined {
    return this.#priorities[0]
  }

  push(id: string, priority: number): void {
    this.#ids.push(id)
    this.#priorities.push(priority)
    this.#seqs.push(this.#seq++)
    let i = this.#ids.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!this.#before(i, parent)) break
      this.#swap(i, parent)
      i = parent
    }
  }

  pop(): string | undefined {
    const n = this.#ids.length
    if (n === 0) return undefined
    const top = this.#ids[0]
    this.#swap(0, n - 1)
    this.#ids.pop()
    this.#priorities.pop()
    this.#seqs.pop()
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let best = i
      if (l < n - 1 && this.#before(l, best)) best = l
      if (r < n - 1 && this.#before(r, best)) best = r
      if (best === i) break
      this.#swap(i, best)
      i = best
    }
    return top
  }

  #before(a: number, b: number): boolean {
    const pa = this.#priorities[a]!
    const pb = this.#priorities[b]!
    return pa > pb || (pa === pb && this.#seqs[a]! < this.#seqs[b]!)
  }

  #swap(a: number, b: number): void {
    const ids = this.#ids
    const ps = this.#priorities
    const ss = this.#seqs
    ;[ids[a], ids[b]] = [ids[b]!, ids[a]!]
    ;[ps[a], ps[b]] = [ps[b]!, ps[a]!]
    ;[ss[a], ss[b]] = [ss[b]!, ss[a]!]
  }
}
