/** Small statistics over repeated runs: median and range, which are robust on a noisy machine. */

export interface Summary {
  n: number
  median: number
  min: number
  max: number
}

export function summarize(values: readonly number[]): Summary | undefined {
  const xs = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b)
  if (xs.length === 0) return undefined
  const mid = xs.length >> 1
  const median = xs.length % 2 ? xs[mid]! : (xs[mid - 1]! + xs[mid]!) / 2
  return { n: xs.length, median, min: xs[0]!, max: xs[xs.length - 1]! }
}

/** Rotates `items` by `k` so each repetition starts with a different tool (alternating order). */
export function rotate<T>(items: readonly T[], k: number): T[] {
  if (items.length === 0) return []
  const s = k % items.length
  return [...items.slice(s), ...items.slice(0, s)]
}

/** `1234.5` → `1.23 s`, `12.3` → `12.3 ms`. */
export function fmtMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '–'
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`
  if (ms >= 100) return `${ms.toFixed(0)} ms`
  if (ms >= 10) return `${ms.toFixed(1)} ms`
  return `${ms.toFixed(2)} ms`
}

export function fmtRange(s: Summary | undefined, fmt: (v: number) => string = fmtMs): string {
  if (!s) return '–'
  return s.n > 1 ? `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})` : fmt(s.median)
}

/** A ratio a/b as `2.3×`, or `–` when either side is missing. */
export function fmtRatio(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined || !(b > 0) || !Number.isFinite(a)) return '–'
  const r = a / b
  return `${r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(2) : r.toFixed(3)}×`
}

export function fmtBytes(b: number | undefined): string {
  if (b === undefined || !Number.isFinite(b)) return '–'
  if (b >= 2 ** 30) return `${(b / 2 ** 30).toFixed(2)} GiB`
  if (b >= 2 ** 20) return `${(b / 2 ** 20).toFixed(1)} MiB`
  if (b >= 2 ** 10) return `${(b / 2 ** 10).toFixed(1)} KiB`
  return `${b} B`
}
