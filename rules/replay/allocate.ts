/**
 * InsCL's replay allocation (OPPO-Mente-Lab/InsCL replay/InsCL_sampling.py, `cal_dynamic_num`):
 * before training task t, the budget `total` (replay_num per earlier task, summed) is split over
 * the earlier tasks in proportion to their Wasserstein distance to task t, so a more dissimilar
 * task gets more replay: n_i = int(total · W_i / Σ_j W_j). The floors leave the sum short by at
 * most (t−1); InsCL then adds 1 to the tasks with the largest weights until the sum is exact.
 *
 * Two departures, both where InsCL's code is undefined or wrong: ties are broken by task order
 * (InsCL's `norm_pW.index(w)` would add twice to the first of two equal weights), and when every
 * distance is 0 (InsCL divides by zero) the budget is split equally.
 */
export function allocate(total: number, distances: readonly number[]): number[] {
  if (!Number.isInteger(total) || total < 0)
    throw new RangeError(`budget must be a non-negative integer, got ${total}`)
  const k = distances.length
  if (k === 0) return []
  if (distances.some((d) => !(d >= 0) || !Number.isFinite(d)))
    throw new RangeError(`distances must be finite and non-negative: ${distances.join(', ')}`)
  const sum = distances.reduce((s, d) => s + d, 0)
  const weights = sum > 0 ? distances.map((d) => d / sum) : distances.map(() => 1 / k)
  const counts = weights.map((w) => Math.floor(w * total))
  const byWeight = weights.map((w, i) => ({ w, i })).sort((x, y) => y.w - x.w || x.i - y.i)
  let short = total - counts.reduce((s, c) => s + c, 0)
  for (let r = 0; short > 0; r = (r + 1) % k, short--) counts[byWeight[r]!.i]!++
  return counts
}
