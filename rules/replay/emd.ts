/**
 * The exact 1-Wasserstein distance (earth mover's distance) between two discrete distributions,
 * the quantity InsCL computes with POT's `ot.emd2` (OPPO-Mente-Lab/InsCL replay/InsCL_sampling.py,
 * `pW_cal` / `pW_cal_dist`).
 *
 * Why not an npm solver: the maintained LP solver on npm (`highs`, HiGHS compiled to WebAssembly)
 * is exact but takes ~1 s per 100×100 problem through its LP-text interface, and InsCL needs
 * Σ(k−1) problems of up to a few hundred points per experiment. So this file solves the
 * transportation problem itself with a documented exact algorithm: successive shortest paths for
 * min-cost flow with Dijkstra on reduced costs (Ahuja, Magnanti & Orlin, *Network Flows*, 1993,
 * §9.7). Masses are given as positive integer weights (instance counts, or all 1 for uniform
 * masses); scaling supplies by Σb and demands by Σa makes every flow integral, so the algorithm
 * terminates with an optimal plan and no rounding of masses. Costs stay floating point; the
 * result is checked against POT on fixtures (test/replay/emd.test.ts, scripts/replay/).
 */

/** Cosine distance 1 − u·v / (|u||v|), as `ot.dist(a, b, metric='cosine')` (scipy's cdist). */
export function cosineCost(a: readonly Float64Array[], b: readonly Float64Array[]): Float64Array[] {
  const norm = (v: Float64Array) => {
    let s = 0
    for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!
    if (s === 0) throw new RangeError('cosine cost of a zero vector is undefined')
    return Math.sqrt(s)
  }
  const na = a.map(norm)
  const nb = b.map(norm)
  return a.map((u, i) => {
    const row = new Float64Array(b.length)
    for (let j = 0; j < b.length; j++) {
      const v = b[j]!
      let dot = 0
      for (let d = 0; d < u.length; d++) dot += u[d]! * v[d]!
      row[j] = 1 - dot / (na[i]! * nb[j]!)
    }
    return row
  })
}

function checkWeights(name: string, w: readonly number[]): number {
  if (w.length === 0) throw new RangeError(`${name}: empty distribution`)
  let total = 0
  for (const x of w) {
    if (!Number.isInteger(x) || x <= 0) throw new RangeError(`${name}: weights must be positive integers`)
    total += x
  }
  return total
}

/**
 * min Σ_ij P_ij M_ij over plans P with row sums a/Σa and column sums b/Σb: the exact optimal
 * transport cost (= `ot.emd2(a/Σa, b/Σb, M)`). `a` and `b` are positive integer weights.
 */
export function emd2(a: readonly number[], b: readonly number[], M: readonly Float64Array[]): number {
  const n = a.length
  const m = b.length
  const A = checkWeights('a', a)
  const B = checkWeights('b', b)
  if (M.length !== n || M.some((row) => row.length !== m))
    throw new RangeError(`cost matrix must be ${n}×${m}`)
  if (A * B > Number.MAX_SAFE_INTEGER) throw new RangeError('weights too large for exact integer flows')
  // Source i supplies a_i·B, sink j demands b_j·A: both sum to A·B, and every flow stays integral.
  const excess = a.map((x) => x * B)
  const deficit = b.map((x) => x * A)
  const flow = Array.from({ length: n }, () => new Float64Array(m)) // integral values
  // Potentials keep reduced costs M_ij + pi_i − pj_j ≥ 0 on every residual arc (forward arcs
  // always exist: they are uncapacitated; a backward arc j→i exists while flow_ij > 0).
  const pi = new Float64Array(n)
  const pj = new Float64Array(m)
  for (let j = 0; j < m; j++) {
    let best = Number.POSITIVE_INFINITY
    for (let i = 0; i < n; i++) best = Math.min(best, M[i]![j]!)
    pj[j] = best
  }
  let remaining = A * B
  // Greedy start: each sink takes what it can from its cheapest source. Those arcs have reduced
  // cost 0, so the pseudoflow keeps every reduced cost ≥ 0 and SSP stays exact; it only saves
  // augmentations (Jonker & Volgenant's column reduction).
  for (let j = 0; j < m; j++) {
    let best = 0
    for (let i = 1; i < n; i++) if (M[i]![j]! < M[best]![j]!) best = i
    const amount = Math.min(excess[best]!, deficit[j]!)
    if (amount <= 0) continue
    flow[best]![j] = amount
    excess[best] = excess[best]! - amount
    deficit[j] = deficit[j]! - amount
    remaining -= amount
  }
  // The super sink T (joined to every sink with remaining demand by a cost-0 arc) has a potential
  // too, so Dijkstra can stop as soon as T is the nearest unfinished node.
  let pT = Number.POSITIVE_INFINITY
  for (let j = 0; j < m; j++) pT = Math.min(pT, pj[j]!)
  const distI = new Float64Array(n)
  const distJ = new Float64Array(m)
  const doneI = new Uint8Array(n)
  const doneJ = new Uint8Array(m)
  const parentJ = new Int32Array(m) // the source a sink was reached from
  const parentI = new Int32Array(n) // the sink a source was reached from (−1: the super source)
  while (remaining > 0) {
    // Dijkstra on reduced costs from a super source joined to every source with excess (its arcs
    // have reduced cost −pi_i; subtracting min pi keeps them ≥ 0 without changing the tree).
    let piMax = Number.NEGATIVE_INFINITY
    for (let i = 0; i < n; i++) if (excess[i]! > 0) piMax = Math.max(piMax, pi[i]!)
    for (let i = 0; i < n; i++) {
      distI[i] = excess[i]! > 0 ? piMax - pi[i]! : Number.POSITIVE_INFINITY
      parentI[i] = -1
    }
    distJ.fill(Number.POSITIVE_INFINITY)
    doneI.fill(0)
    doneJ.fill(0)
    let distT = Number.POSITIVE_INFINITY
    let target = -1
    for (;;) {
      let bestI = -1
      let bestJ = -1
      let best = distT
      for (let i = 0; i < n; i++)
        if (!doneI[i] && distI[i]! < best) {
          best = distI[i]!
          bestI = i
        }
      for (let j = 0; j < m; j++)
        if (!doneJ[j] && distJ[j]! < best) {
          best = distJ[j]!
          bestJ = j
          bestI = -1
        }
      if (bestI < 0 && bestJ < 0) break // T is the nearest: the shortest path is known
      if (bestI >= 0) {
        doneI[bestI] = 1
        const row = M[bestI]!
        const base = best + pi[bestI]!
        for (let j = 0; j < m; j++) {
          if (doneJ[j]) continue
          const d = base + row[j]! - pj[j]! // reduced cost ≥ 0 up to rounding
          const dc = d < best ? best : d
          if (dc < distJ[j]!) {
            distJ[j] = dc
            parentJ[j] = bestI
          }
        }
      } else {
        doneJ[bestJ] = 1
        if (deficit[bestJ]! > 0) {
          const d = best + pj[bestJ]! - pT
          const dc = d < best ? best : d
          if (dc < distT) {
            distT = dc
            target = bestJ
          }
        }
        for (let i = 0; i < n; i++) {
          if (doneI[i] || flow[i]![bestJ]! <= 0) continue
          const d = best - M[i]![bestJ]! - pi[i]! + pj[bestJ]!
          const dc = d < best ? best : d
          if (dc < distI[i]!) {
            distI[i] = dc
            parentI[i] = bestJ
          }
        }
      }
    }
    if (target < 0) throw new Error('internal error: no augmenting path in a transportation problem')
    // Bottleneck along the path: the demand, the backward arcs' flows, the source's excess.
    let amount = deficit[target]!
    let j = target
    let i = parentJ[j]!
    for (;;) {
      const back = parentI[i]!
      if (back < 0) {
        amount = Math.min(amount, excess[i]!)
        break
      }
      amount = Math.min(amount, flow[i]![back]!)
      j = back
      i = parentJ[j]!
    }
    j = target
    i = parentJ[j]!
    deficit[target] = deficit[target]! - amount
    for (;;) {
      flow[i]![j] = flow[i]![j]! + amount
      const back = parentI[i]!
      if (back < 0) {
        excess[i] = excess[i]! - amount
        break
      }
      flow[i]![back] = flow[i]![back]! - amount
      j = back
      i = parentJ[j]!
    }
    remaining -= amount
    // New potentials P + min(d, d_T) keep every reduced cost ≥ 0 (AMO §9.7), the arcs into T
    // included; nodes not finished before T get d_T.
    for (let s = 0; s < n; s++) pi[s] = pi[s]! + Math.min(distI[s]!, distT)
    for (let t = 0; t < m; t++) pj[t] = pj[t]! + Math.min(distJ[t]!, distT)
    pT += distT
  }
  let cost = 0
  for (let i = 0; i < n; i++)
    for (let j = 0; j < m; j++) if (flow[i]![j]! > 0) cost += flow[i]![j]! * M[i]![j]!
  return cost / (A * B)
}
