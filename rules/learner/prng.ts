/**
 * A seeded PRNG (no Math.random anywhere in the learner): sfc32 seeded through splitmix32.
 *
 * Everything drawn from it uses only +, −, × and integer ops, so the same seed gives bit-identical
 * draws on every machine. That is also why `normal()` is Irwin–Hall (sum of 12 uniforms − 6, a
 * close, ±6σ-bounded approximation of N(0,1)) rather than Box–Muller: Math.log/Math.cos are not
 * required to be correctly rounded, so they could differ between JavaScript engines.
 */
export class Rng {
  #a: number
  #b: number
  #c: number
  #d: number

  /** `seed` is any integer; `stream` separates independent uses of the same seed (init vs batches). */
  constructor(seed: number, stream = '') {
    let s = (Math.trunc(seed) ^ fnv1a(stream)) >>> 0
    const next = () => {
      // splitmix32
      s = (s + 0x9e3779b9) >>> 0
      let z = s
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
      return (z ^ (z >>> 16)) >>> 0
    }
    this.#a = next()
    this.#b = next()
    this.#c = next()
    this.#d = next()
    for (let i = 0; i < 12; i++) this.u32()
  }

  /** The generator's whole state (four u32 words), to save with a resumable run. */
  get state(): [number, number, number, number] {
    return [this.#a >>> 0, this.#b >>> 0, this.#c >>> 0, this.#d >>> 0]
  }

  /** Continues from a saved `state`: the next draws are those the saved generator would make. */
  set state(s: readonly number[]) {
    if (s.length !== 4 || !s.every((x) => Number.isInteger(x) && x >= 0 && x <= 0xffffffff))
      throw new Error(`internal error: not an Rng state: ${JSON.stringify(s)}`)
    ;[this.#a, this.#b, this.#c, this.#d] = s.map((x) => x | 0) as [number, number, number, number]
  }

  /** sfc32: a uniform 32-bit unsigned integer. */
  u32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0
    this.#d = (this.#d + 1) | 0
    this.#a = this.#b ^ (this.#b >>> 9)
    this.#b = (this.#c + (this.#c << 3)) | 0
    this.#c = (this.#c << 21) | (this.#c >>> 11)
    this.#c = (this.#c + t) | 0
    return t >>> 0
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    return ((this.u32() >>> 5) * 67108864 + (this.u32() >>> 6)) / 9007199254740992
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform()
  }

  /** Approximately N(0, 1) (Irwin–Hall with 12 terms; see the class comment). */
  normal(): number {
    let s = 0
    for (let i = 0; i < 12; i++) s += this.uniform()
    return s - 6
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n)
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = this.int(i + 1)
      const t = xs[i]!
      xs[i] = xs[j]!
      xs[j] = t
    }
    return xs
  }
}

/** FNV-1a 32 over the UTF-16 code units of a short ASCII label (stream names only). */
function fnv1a(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}
