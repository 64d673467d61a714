import { UserError } from '../../src/errors.ts'

/**
 * Deterministic subsampling for CoIN's instruction-volume experiments (`Train_slim_{0.1..0.8}`,
 * DOMAIN.md §1.1): keep round(fraction·n) records chosen by a seeded PRNG, in their original order.
 * The same (records, fraction, seed) always gives the same subset on any machine, so a dataset
 * target's output, and therefore its cache key downstream, is stable.
 */

/** mulberry32: a tiny, fast 32-bit PRNG with good statistical quality; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Keeps round(fraction·n) records (Math.round: halves round up). The picks are the first k steps of
 * a Fisher-Yates shuffle of the indices, sorted back into file order. Because the first k steps do
 * not depend on k, a smaller fraction with the same seed keeps a subset of a larger one
 * (slim-0.2 ⊂ slim-0.4), which makes volume curves compare like with like.
 */
export function sampleFraction<T>(records: readonly T[], fraction: number, seed: number): T[] {
  checkFraction(fraction)
  if (!Number.isSafeInteger(seed)) {
    throw new UserError({
      message: `seed must be an integer, got ${seed}`,
      key: 'seed',
      fix: 'pass a whole number such as 0 or 42',
    })
  }
  const n = records.length
  const keep = Math.round(fraction * n)
  if (keep === n) return [...records]
  const random = mulberry32(seed)
  const indices = Array.from({ length: n }, (_, i) => i)
  for (let i = 0; i < keep; i++) {
    const j = i + Math.floor(random() * (n - i))
    const picked = indices[j]!
    indices[j] = indices[i]!
    indices[i] = picked
  }
  return indices
    .slice(0, keep)
    .sort((a, b) => a - b)
    .map((i) => records[i]!)
}

export function checkFraction(fraction: number, key = 'fraction'): void {
  if (typeof fraction !== 'number' || !(fraction > 0 && fraction <= 1)) {
    throw new UserError({
      message: `${key} must be in (0, 1], got ${fraction}`,
      key,
      fix: `use a share of the records such as 0.1 or 1.0 (1.0 keeps everything)`,
    })
  }
}
