/**
 * Adam (Kingma & Ba) as ordinary ONNX ops, in PyTorch's arithmetic order:
 *   m' = β1·m + (1−β1)·g
 *   v' = β2·v + (1−β2)·g²
 *   p' = p − stepSize · m' / (√v' / bc2Sqrt + ε)
 * with stepSize = lr/(1−β1^t) and bc2Sqrt = √(1−β2^t) fed per step as scalars (computed in float64
 * by the training loop, see adamScalars). No weight decay (CoIN trains with weight_decay 0).
 *
 * The same function updates a dense parameter and the gathered rows of the embedding table (the
 * "lazy"/sparse Adam of TF's LazyAdam and PyTorch's SparseAdam: rows absent from a batch keep their
 * values and moments), because both are just tensors of the same shape as their gradient.
 */
import type { GraphBuilder, Value } from './onnx-graph.ts'

export const ADAM = { beta1: 0.9, beta2: 0.999, eps: 1e-8 } as const

export interface AdamInputs {
  stepSize: Value
  bc2Sqrt: Value
}

/** The per-step scalars for step t (1-based). */
export function adamScalars(lr: number, t: number): { stepSize: number; bc2Sqrt: number } {
  return { stepSize: lr / (1 - ADAM.beta1 ** t), bc2Sqrt: Math.sqrt(1 - ADAM.beta2 ** t) }
}

export function adamUpdate(
  g: GraphBuilder,
  s: AdamInputs,
  p: Value,
  grad: Value,
  m: Value,
  v: Value,
  name: string,
): { p: Value; m: Value; v: Value } {
  const m2 = g.add(g.mul(m, g.scalar(ADAM.beta1)), g.mul(grad, g.scalar(1 - ADAM.beta1)), `${name}.m`)
  const v2 = g.add(
    g.mul(v, g.scalar(ADAM.beta2)),
    g.mul(g.mul(grad, grad), g.scalar(1 - ADAM.beta2)),
    `${name}.v`,
  )
  const denom = g.add(g.div(g.sqrt(v2), s.bc2Sqrt), g.scalar(ADAM.eps), `${name}.denom`)
  const p2 = g.sub(p, g.mul(s.stepSize, g.div(m2, denom)), `${name}.p`)
  return { p: p2, m: m2, v: v2 }
}
