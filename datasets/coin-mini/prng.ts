/**
 * A small seeded random source. CoIN-mini must be byte-identical for a given seed on every machine
 * and Node version, so nothing here touches Math.random: mulberry32 is a 32-bit generator whose
 * arithmetic (Math.imul, >>>) is exact in JavaScript.
 */
import { mulberry32 as mulberry32Floats } from '../../rules/datasets/sample.ts'

export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number
  /** Uniform integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number
  /** True with probability p. */
  chance(p: number): boolean
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T
  /** A new array with the items in random order (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[]
  /** k distinct elements, in random order. */
  sample<T>(items: readonly T[], k: number): T[]
  /** An index chosen with probability proportional to its weight. */
  weighted(weights: readonly number[]): number
}

export function mulberry32(seed: number): Rng {
  const next = mulberry32Floats(seed)
  const int = (lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1))
  const shuffle = <T>(items: readonly T[]): T[] => {
    const out = [...items]
    for (let i = out.length - 1; i > 0; i--) {
      const j = int(0, i)
      const tmp = out[i] as T
      out[i] = out[j] as T
      out[j] = tmp
    }
    return out
  }
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick: (items) => {
      if (items.length === 0) throw new Error('internal error: pick from an empty list')
      return items[int(0, items.length - 1)] as (typeof items)[number]
    },
    shuffle,
    sample: (items, k) => {
      if (k > items.length) throw new Error(`internal error: sample ${k} of ${items.length}`)
      return shuffle(items).slice(0, k)
    },
    weighted: (weights) => {
      const total = weights.reduce((a, b) => a + b, 0)
      let r = next() * total
      for (let i = 0; i < weights.length; i++) {
        r -= weights[i] as number
        if (r < 0) return i
      }
      return weights.length - 1
    },
  }
}

/**
 * Derives an independent 32-bit seed from a base seed and a label (FNV-1a over the text), so each
 * task and split gets its own stream: generating only some tasks yields the same bytes for them as
 * generating all eight.
 */
export function deriveSeed(seed: number, label: string): number {
  let h = 0x811c9dc5
  for (const ch of `${seed >>> 0}:${label}`) {
    h ^= ch.charCodeAt(0)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h
}
