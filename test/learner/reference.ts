/**
 * A plain-JavaScript float64 reference of the learner's network, written independently of the
 * ONNX graph code (loops over arrays, no shared helpers), for the forward, gradient and Adam tests.
 */
import { ADAM } from '../../rules/learner/adam.ts'
import type { AdapterMethod } from '../../rules/learner/params.ts'
import type { PreparedExample } from '../../rules/learner/prepare.ts'

export type Weights = Record<string, ArrayLike<number>>

export interface RefModel {
  dims: number[] // [D, ...hidden, V]
  method: AdapterMethod | null
  /** LoRA dropout: the mask of example n at layer i (multiplies the adapter's input only). */
  mask?: (n: number, i: number) => ArrayLike<number> | undefined
}

function linear(x: number[], w: Weights, i: number, m: RefModel, n: number): number[] {
  const fin = m.dims[i]!
  const fout = m.dims[i + 1]!
  const W = w[`layers.${i}.weight`]!
  const b = w[`layers.${i}.bias`]!
  const y = Array.from({ length: fout }, (_, o) => {
    let s = b[o]!
    for (let k = 0; k < fin; k++) s += x[k]! * W[k * fout + o]!
    return s
  })
  // Layers without adapter weights (projector, output layer) are plain.
  if (!m.method || w[`layers.${i}.lora_A`] === undefined) return y
  const r = m.method.r
  const A = w[`layers.${i}.lora_A`]!
  const B = w[`layers.${i}.lora_B`]!
  const mask = m.mask?.(n, i)
  const z = Array.from({ length: r }, (_, j) => {
    let s = 0
    for (let k = 0; k < fin; k++) s += x[k]! * (mask ? mask[k]! : 1) * A[k * r + j]!
    return s
  })
  let gateOfColumn = (_j: number) => 1
  if (m.method.kind === 'moelora') {
    const E = m.method.experts
    const R = w[`layers.${i}.router`]!
    const logits = Array.from({ length: E }, (_, e) => {
      let s = 0
      for (let k = 0; k < fin; k++) s += x[k]! * R[k * E + e]!
      return s
    })
    const mx = Math.max(...logits)
    const ex = logits.map((l) => Math.exp(l - mx))
    const sum = ex.reduce((a, c) => a + c, 0)
    const gate = ex.map((v) => v / sum)
    const per = r / E
    gateOfColumn = (j) => gate[Math.floor(j / per)]!
  }
  const s = m.method.alpha / m.method.r
  for (let o = 0; o < fout; o++) {
    let acc = 0
    for (let j = 0; j < r; j++) acc += z[j]! * gateOfColumn(j) * B[j * fout + o]!
    y[o]! += s * acc
  }
  return y
}

/** Logits of each example: bag → hidden ReLU layers → output layer. */
export function refLogits(m: RefModel, w: Weights, examples: readonly PreparedExample[]): number[][] {
  const D = m.dims[0]!
  const E = w.embedding!
  return examples.map((ex, n) => {
    let h = new Array<number>(D).fill(0)
    for (let j = 0; j < ex.ids.length; j++) {
      for (let d = 0; d < D; d++) h[d]! += ex.weights[j]! * E[ex.ids[j]! * D + d]!
    }
    const layers = m.dims.length - 1
    for (let i = 0; i < layers; i++) {
      const pre = linear(h, w, i, m, n)
      h = i + 1 < layers ? pre.map((v) => Math.max(0, v)) : pre
    }
    return h
  })
}

/** Mean cross-entropy. */
export function refLoss(
  m: RefModel,
  w: Weights,
  examples: readonly PreparedExample[],
  labels: readonly number[],
): number {
  const logits = refLogits(m, w, examples)
  let total = 0
  logits.forEach((l, n) => {
    const mx = Math.max(...l)
    const lse = mx + Math.log(l.reduce((a, v) => a + Math.exp(v - mx), 0))
    total += lse - l[labels[n]!]!
  })
  return total / examples.length
}

/** One Adam step in float64, same formula and order as adam.ts. */
export function refAdam(
  p: ArrayLike<number>,
  g: ArrayLike<number>,
  m: ArrayLike<number>,
  v: ArrayLike<number>,
  lr: number,
  t: number,
): { p: number[]; m: number[]; v: number[] } {
  const stepSize = lr / (1 - ADAM.beta1 ** t)
  const bc2Sqrt = Math.sqrt(1 - ADAM.beta2 ** t)
  const out = { p: [] as number[], m: [] as number[], v: [] as number[] }
  for (let i = 0; i < p.length; i++) {
    const m2 = ADAM.beta1 * m[i]! + (1 - ADAM.beta1) * g[i]!
    const v2 = ADAM.beta2 * v[i]! + (1 - ADAM.beta2) * g[i]! * g[i]!
    out.m.push(m2)
    out.v.push(v2)
    out.p.push(p[i]! - (stepSize * m2) / (Math.sqrt(v2) / bc2Sqrt + ADAM.eps))
  }
  return out
}
