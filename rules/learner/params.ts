/**
 * Parameter naming, shapes and initialisation for the base model and its adapters.
 *
 * Base:     embedding [F, D]; layers.{i}.weight [in, out], layers.{i}.bias [out] for i = 0..H
 *           (layer H is the output layer: dims are [D, ...hidden, V]).
 * Roles, as in CoIN's LLaVA: layer 0 is the projector (between the embedding bag, which mixes
 *           the scene's "vision" features with the prompt's, and the rest), trained in full by
 *           every method (CoIN trains mm_projector beside its LoRA); layers 1..H−1 are the
 *           "LLM"; layer H is the output layer (lm_head).
 * LoRA:     layers.{i}.lora_A [in, r], layers.{i}.lora_B [r, out] on the LLM layers 1..H−1 only:
 *           not the projector, not the output layer (find_all_linear_names skips mm_projector and
 *           lm_head), not the embedding. So adapters need hidden = [projector, ≥1 LLM width].
 * MoELoRA:  the same A/B with the E experts' ranks concatenated (expert e owns columns
 *           [e·r/E, (e+1)·r/E) of A and the same rows of B), plus layers.{i}.router [in, E].
 */
import { UserError } from '../../src/errors.ts'
import { Rng } from './prng.ts'
import type { Adapter, Checkpoint, MethodConfig, ModelConfig, Tensor } from './types.ts'

export type AdapterMethod = Exclude<MethodConfig, { kind: 'full' }>

/** Widths of every layer boundary: [embedDim, ...hidden, vocab]. */
export function layerDims(config: ModelConfig): number[] {
  return [config.embedDim, ...config.hidden, config.vocab.length]
}

/** The layer trained in full beside an adapter (CoIN's mm_projector). */
export const PROJECTOR_LAYER = 0

/** Indices of the layers an adapter sits on: every layer but the projector and the output layer. */
export function adaptedLayers(hidden: readonly number[]): number[] {
  return Array.from({ length: Math.max(0, hidden.length - 1) }, (_, k) => k + 1)
}

/** CoIN's lora_dropout default. */
export const DEFAULT_LORA_DROPOUT = 0.05

export const baseNames = {
  embedding: 'embedding',
  weight: (i: number) => `layers.${i}.weight`,
  bias: (i: number) => `layers.${i}.bias`,
}
export const adapterNames = {
  a: (i: number) => `layers.${i}.lora_A`,
  b: (i: number) => `layers.${i}.lora_B`,
  router: (i: number) => `layers.${i}.router`,
}

export function tensor(shape: number[], fill?: (rng: Rng) => number, rng?: Rng): Tensor {
  const n = shape.reduce((a, b) => a * b, 1)
  const data = new Float32Array(n)
  if (fill && rng) for (let i = 0; i < n; i++) data[i] = fill(rng)
  return { shape, data }
}

export function validateModelConfig(config: ModelConfig): void {
  const positiveInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v > 0
  const bad = (key: string, fix: string) => {
    throw new UserError({ message: `invalid learner model config: ${key}`, key, fix })
  }
  if (!positiveInt(config.featureDim) || config.featureDim > 2 ** 24)
    bad('featureDim', 'use an integer in 1..2^24')
  if (!positiveInt(config.embedDim)) bad('embedDim', 'use a positive integer')
  if (!Array.isArray(config.hidden) || !config.hidden.every(positiveInt))
    bad('hidden', 'use positive integer widths')
  if (!Array.isArray(config.vocab) || config.vocab.length < 2)
    bad('vocab', 'give at least two answer strings')
  if (new Set(config.vocab).size !== config.vocab.length) bad('vocab', 'remove duplicate answer strings')
  if (!Number.isInteger(config.seed)) bad('seed', 'use an integer seed')
}

export function validateMethod(method: MethodConfig): void {
  if (method.kind === 'full') return
  const bad = (key: string, fix: string) => {
    throw new UserError({ message: `invalid ${method.kind} method config: ${key}`, key, fix })
  }
  if (!Number.isInteger(method.r) || method.r < 1) bad('r', 'use a positive integer rank')
  const dropout = method.dropout ?? DEFAULT_LORA_DROPOUT
  if (!(dropout >= 0 && dropout < 1)) bad('dropout', 'use a dropout probability in [0, 1)')
  if (!(method.alpha > 0)) bad('alpha', 'use a positive alpha (the adapter is scaled by alpha/r)')
  if (method.kind === 'moelora') {
    if (!Number.isInteger(method.experts) || method.experts < 1) bad('experts', 'use a positive integer')
    if (method.r % method.experts !== 0)
      bad('r', `r must be divisible by experts (${method.experts}), as in CoIN`)
  }
}

/**
 * Random base weights. Embedding rows ~ U(±0.1·√3) (std 0.1: small, so learned features dominate
 * the bag quickly); hidden layers Kaiming-uniform for ReLU, U(±√(6/in)); the output layer
 * U(±1/√in); biases 0.
 */
export function initModel(config: ModelConfig): Checkpoint {
  validateModelConfig(config)
  const rng = new Rng(config.seed, 'base')
  const dims = layerDims(config)
  const base: Record<string, Tensor> = {}
  const e = 0.1 * Math.sqrt(3)
  base[baseNames.embedding] = tensor([config.featureDim, config.embedDim], (r) => r.range(-e, e), rng)
  for (let i = 0; i + 1 < dims.length; i++) {
    const fanIn = dims[i]!
    const isOutput = i + 2 === dims.length
    const bound = isOutput ? 1 / Math.sqrt(fanIn) : Math.sqrt(6 / fanIn)
    base[baseNames.weight(i)] = tensor([fanIn, dims[i + 1]!], (r) => r.range(-bound, bound), rng)
    base[baseNames.bias(i)] = tensor([dims[i + 1]!])
  }
  return {
    config: { ...config, hidden: [...config.hidden], vocab: [...config.vocab] },
    base,
    adapter: null,
    history: [],
  }
}

/**
 * A fresh adapter. B = 0 so training starts exactly at the base model (LoRA's defining init).
 * LoRA A: peft's default kaiming_uniform(a=√5) = U(±1/√in). MoELoRA A: N(0, 0.01²) as in CoIN's
 * coinmoelora; router: nn.Linear's default init, U(±1/√in).
 */
export function createAdapter(config: ModelConfig, method: AdapterMethod, seed: number): Adapter {
  validateMethod(method)
  requireAdaptedLayers(config, method)
  const rng = new Rng(seed, `adapter:${method.kind}`)
  const dims = layerDims(config)
  const tensors: Record<string, Tensor> = {}
  for (const i of adaptedLayers(config.hidden)) {
    const fanIn = dims[i]!
    const bound = 1 / Math.sqrt(fanIn)
    const initA = method.kind === 'lora' ? (r: Rng) => r.range(-bound, bound) : (r: Rng) => 0.01 * r.normal()
    tensors[adapterNames.a(i)] = tensor([fanIn, method.r], initA, rng)
    tensors[adapterNames.b(i)] = tensor([method.r, dims[i + 1]!])
    if (method.kind === 'moelora') {
      tensors[adapterNames.router(i)] = tensor([fanIn, method.experts], (r) => r.range(-bound, bound), rng)
    }
  }
  return { method: canonicalMethod(method), tensors }
}

/** Names and shapes of the tensors an adapter for `method` has. */
export function adapterShapes(config: ModelConfig, method: AdapterMethod): Record<string, number[]> {
  const dims = layerDims(config)
  const shapes: Record<string, number[]> = {}
  for (const i of adaptedLayers(config.hidden)) {
    shapes[adapterNames.a(i)] = [dims[i]!, method.r]
    shapes[adapterNames.b(i)] = [method.r, dims[i + 1]!]
    if (method.kind === 'moelora') shapes[adapterNames.router(i)] = [dims[i]!, method.experts]
  }
  return shapes
}

/** Whether `adapter` has exactly the method (kind, r, alpha, experts) and tensor shapes `method` would create. */
export function adapterMatches(config: ModelConfig, adapter: Adapter, method: AdapterMethod): boolean {
  if (JSON.stringify(adapter.method) !== JSON.stringify(canonicalMethod(method))) return false
  const shapes = adapterShapes(config, method)
  const names = Object.keys(shapes)
  if (names.length !== Object.keys(adapter.tensors).length) return false
  return names.every((n) => adapter.tensors[n]?.shape.join(',') === shapes[n]!.join(','))
}

/** The method with its keys in a fixed order (checkpoints compare and serialise it). */
export function canonicalMethod<M extends MethodConfig>(method: M): M {
  if (method.kind === 'full') return { kind: 'full' } as M
  const dropout = method.dropout ?? DEFAULT_LORA_DROPOUT
  if (method.kind === 'lora') return { kind: 'lora', r: method.r, alpha: method.alpha, dropout } as M
  return { kind: 'moelora', r: method.r, alpha: method.alpha, experts: method.experts, dropout } as M
}

/** An adapter with nowhere to sit (hidden has only the projector) is a configuration error. */
export function requireAdaptedLayers(config: ModelConfig, method: AdapterMethod): void {
  if (adaptedLayers(config.hidden).length > 0) return
  throw new UserError({
    message: `${method.kind} needs a hidden layer besides the projector, but hidden is [${config.hidden.join(', ')}]`,
    key: 'model.hidden',
    fix: 'give at least two hidden widths, e.g. [64, 64]: layer 0 is the projector (trained in full), the adapters sit on the layers after it, never on the output layer',
  })
}

export function scaling(method: AdapterMethod): number {
  return method.alpha / method.r
}
