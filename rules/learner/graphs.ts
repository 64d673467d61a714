/**
 * Assembles the two graphs the learner runs: the train step (forward, loss, backward, Adam) and the
 * forward/predict graph. Both take every weight as a graph *input*: the graph bytes depend only on
 * the architecture and method, so one session serves every step and every checkpoint of a shape.
 *
 * Batch inputs (built by batch.ts):
 *   ids [K] int32     the batch's distinct feature rows
 *   local [N, L] int32 per example and slot, an index into ids (0 for padding)
 *   wts [N, L] float  bag weights (0 for padding)
 *   y [N, V] float    one-hot targets (train only)
 *   adam.step_size [], adam.bc2_sqrt [], adam.decay [] (train only, see adam.ts)
 *   dropout.mask:{i} [N, in] (train only, adapted layers: LoRA dropout, see network.ts)
 *   rows.scene [K] float (train under lora/moelora: 1 for the scene-feature rows the projector
 *                       trains, 0 for text rows, which stay frozen)
 *
 * Train-step outputs: `loss`, then for each trained tensor T: `next:T`, `next:adam.m:T`,
 * `next:adam.v:T`; with `gradients: true` also `grad:T` (the hand-derived gradient, for tests).
 *
 * The embedding under `full` (and its scene-feature rows under lora/moelora, the projector's share
 * of it) is trained sparsely, as "lazy" Adam: the table and its two Adam moment
 * tables travel as one packed input `embedding.packed` [F, 3·D] (row f = [E[f] | m[f] | v[f]], a
 * zero-copy input); the graph gathers the batch's K rows once, updates them and outputs them
 * packed as `next:embedding.packed.rows` [K, 3·D]; the training loop writes them back in place.
 * A table-sized output would cost ~1 ms per table per step in copies (measured at 2^15×32, with and
 * without pre-allocated outputs), more than the rest of the step; packing makes the gather and the
 * write-back touch one contiguous 3·D run per row instead of three scattered ones.
 */
import { adamUpdate } from './adam.ts'
import { type GradNeeds, type LinearGrads, type LinearValues, Network } from './network.ts'
import { attr, GraphBuilder, type Value } from './onnx-graph.ts'
import {
  type AdapterMethod,
  adaptedLayers,
  adapterNames,
  baseNames,
  DEFAULT_LORA_DROPOUT,
  PROJECTOR_LAYER,
} from './params.ts'
import type { MethodConfig, ModelConfig } from './types.ts'

export const io = {
  next: (t: string) => `next:${t}`,
  m: (t: string) => `adam.m:${t}`,
  v: (t: string) => `adam.v:${t}`,
  grad: (t: string) => `grad:${t}`,
  embeddingRows: 'embedding.rows',
  mask: (i: number) => `dropout.mask:${i}`,
  sceneRows: 'rows.scene',
  packed: 'embedding.packed',
  packedRows: 'next:embedding.packed.rows',
}

export interface GraphShape {
  featureDim: number
  embedDim: number
  hidden: number[]
  vocabSize: number
}

export function graphShape(config: ModelConfig): GraphShape {
  return {
    featureDim: config.featureDim,
    embedDim: config.embedDim,
    hidden: [...config.hidden],
    vocabSize: config.vocab.length,
  }
}

export interface TrainGraph {
  model: Uint8Array
  /** Dense tensors the step updates (they and their moments are inputs; `next:*` outputs). */
  dense: string[]
  /** Whether embedding rows are trained (all under `full`, scene rows under adapters; the table is then `embedding.packed`). */
  sparseEmbedding: boolean
  /** Whether the step takes `rows.scene` (adapters: only scene rows train). */
  sceneRowsOnly: boolean
  /** Every weight input: base tensors (or `embedding.packed` in its place) plus adapter tensors. */
  weights: string[]
  /** The dropout-mask inputs: name and width (`in` of the adapted layer). */
  masks: { name: string; width: number }[]
}

/**
 * Declares every weight of the model (base + adapter) as an input and groups them per layer. With
 * `packed`, the embedding input is the [F, 3·D] table of rows and Adam moments (see above).
 */
function declareWeights(
  g: GraphBuilder,
  shape: GraphShape,
  method: AdapterMethod | null,
  packed = false,
  masks = false,
) {
  const dims = [shape.embedDim, ...shape.hidden, shape.vocabSize]
  const adapted = new Set(method ? adaptedLayers(shape.hidden) : [])
  const embedding = packed
    ? g.input(io.packed, 'float', [shape.featureDim, 3 * shape.embedDim])
    : g.input(baseNames.embedding, 'float', [shape.featureDim, shape.embedDim])
  const layers: LinearValues[] = []
  const weights = [embedding]
  for (let i = 0; i + 1 < dims.length; i++) {
    const [fin, fout] = [dims[i]!, dims[i + 1]!]
    const p: LinearValues = {
      W: g.input(baseNames.weight(i), 'float', [fin, fout]),
      b: g.input(baseNames.bias(i), 'float', [fout]),
    }
    weights.push(p.W, p.b)
    if (method && adapted.has(i)) {
      if (masks) p.mask = g.input(io.mask(i), 'float', ['N', fin])
      p.A = g.input(adapterNames.a(i), 'float', [fin, method.r])
      p.B = g.input(adapterNames.b(i), 'float', [method.r, fout])
      weights.push(p.A, p.B)
      if (method.kind === 'moelora') {
        p.R = g.input(adapterNames.router(i), 'float', [fin, method.experts])
        weights.push(p.R)
      }
    }
    layers.push(p)
  }
  return { embedding, layers, weights }
}

function declareBatch(g: GraphBuilder) {
  return {
    ids: g.input('ids', 'int32', ['K']),
    local: g.input('local', 'int32', ['N', 'L']),
    wts: g.input('wts', 'float', ['N', 'L']),
  }
}

/** Forward through the hidden ReLU layers and the output layer; keeps what backward needs. */
function forward(net: Network, bag: Value, layers: LinearValues[]) {
  const caches = []
  const pres: Value[] = []
  let h = bag
  for (let i = 0; i < layers.length; i++) {
    const { y, cache } = net.linear(h, layers[i]!, `l${i}`)
    caches.push(cache)
    pres.push(y)
    h = i + 1 < layers.length ? net.relu(y, `l${i}.h`) : y
  }
  return { logits: h, caches, pres }
}

/** The train-step graph for `method` (see the file comment for its inputs and outputs). */
export function buildTrainGraph(
  shape: GraphShape,
  method: MethodConfig,
  opts: { gradients?: boolean } = {},
): TrainGraph {
  const adapter = method.kind === 'full' ? null : method
  const g = new GraphBuilder(`coin-learner-train-${method.kind}`)
  const net = new Network(g, adapter)
  const full = adapter === null
  const dropout = adapter !== null && (adapter.dropout ?? DEFAULT_LORA_DROPOUT) > 0
  // Every method trains embedding rows: all of them under full, the scene rows under adapters.
  const w = declareWeights(g, shape, adapter, true, dropout)
  const sceneRows = full ? undefined : g.input(io.sceneRows, 'float', ['K'])
  const batch = declareBatch(g)
  const y = g.input('y', 'float', ['N', shape.vocabSize])
  const adamIn = {
    stepSize: g.input('adam.step_size', 'float', []),
    bc2Sqrt: g.input('adam.bc2_sqrt', 'float', []),
    decay: g.input('adam.decay', 'float', []),
  }

  // The batch's rows of the table, packed with their Adam moments.
  const gathered = g.op('Gather', [w.embedding, batch.ids], { axis: attr.int(0) }, 'rows.gathered')
  const D = shape.embedDim
  const [rows, mRows, vRows] = g.opN(
    'Split',
    [gathered, g.constInt64([D, D, D], [3])],
    3,
    { axis: attr.int(1) },
    'rows',
  ) as [Value, Value, Value]
  const moments = { m: mRows, v: vRows }
  const bag = net.embeddingBag(rows, batch.local, batch.wts)
  const { logits, caches, pres } = forward(net, bag, w.layers)
  const { loss, dLogits } = net.softmaxCrossEntropy(logits, y)
  g.output('loss', loss)

  // Backward, last layer first. Base weights train under `full`, and the projector (layer 0 and
  // the scene rows of the embedding) under every method; adapters under lora/moelora.
  const grads: LinearGrads[] = []
  let dy = dLogits
  for (let i = w.layers.length - 1; i >= 0; i--) {
    const needs: GradNeeds = {
      base: full || i === PROJECTOR_LAYER,
      adapter: !full && w.layers[i]!.A !== undefined,
      input: true,
    }
    const gi = net.linearBackward(dy, w.layers[i]!, caches[i]!, needs, `l${i}`)
    grads[i] = gi
    if (i > 0) dy = net.reluBackward(pres[i - 1]!, gi.x!, `l${i - 1}.dpre`)
  }

  const dims = [shape.embedDim, ...shape.hidden, shape.vocabSize]
  const dense: string[] = []
  const update = (name: string, p: Value, grad: Value | undefined, tensorDims: number[]) => {
    if (grad === undefined) throw new Error(`internal error: no gradient for ${name}`)
    const m = g.input(io.m(name), 'float', tensorDims)
    const v = g.input(io.v(name), 'float', tensorDims)
    // HuggingFace's Trainer decays every parameter but biases (and norms, which this model lacks).
    const decays = !name.endsWith('.bias')
    const next = adamUpdate(g, adamIn, p, grad, m, v, `adam.${name}`, decays)
    g.output(io.next(name), next.p)
    g.output(io.next(io.m(name)), next.m)
    g.output(io.next(io.v(name)), next.v)
    if (opts.gradients) g.output(io.grad(name), grad)
  }

  {
    const dAll = net.embeddingBagBackward(rows, batch.local, batch.wts, grads[0]!.x!)
    // Under adapters text rows get no gradient: with zero moments Adam leaves them exactly as they
    // were. (No decay on them either; the scene rows are not decayed under adapters, a deviation
    // that vanishes at CoIN's weight_decay 0.)
    const dRows = sceneRows ? g.mul(dAll, g.unsqueeze(sceneRows, [1]), 'd.rows.scene') : dAll
    const next = adamUpdate(g, adamIn, rows, dRows, moments.m, moments.v, 'adam.embedding', full)
    g.output(io.packedRows, g.op('Concat', [next.p, next.m, next.v], { axis: attr.int(1) }))
    if (opts.gradients) g.output(io.grad(io.embeddingRows), dRows)
  }
  if (full) {
    for (let i = 0; i < w.layers.length; i++) {
      update(baseNames.weight(i), w.layers[i]!.W, grads[i]!.W, [dims[i]!, dims[i + 1]!])
      update(baseNames.bias(i), w.layers[i]!.b, grads[i]!.b, [dims[i + 1]!])
      dense.push(baseNames.weight(i), baseNames.bias(i))
    }
  } else if (adapter) {
    const j = PROJECTOR_LAYER
    update(baseNames.weight(j), w.layers[j]!.W, grads[j]!.W, [dims[j]!, dims[j + 1]!])
    update(baseNames.bias(j), w.layers[j]!.b, grads[j]!.b, [dims[j + 1]!])
    dense.push(baseNames.weight(j), baseNames.bias(j))
    for (const i of adaptedLayers(shape.hidden)) {
      const p = w.layers[i]!
      update(adapterNames.a(i), p.A!, grads[i]!.A, [dims[i]!, adapter.r])
      update(adapterNames.b(i), p.B!, grads[i]!.B, [adapter.r, dims[i + 1]!])
      dense.push(adapterNames.a(i), adapterNames.b(i))
      if (adapter.kind === 'moelora') {
        update(adapterNames.router(i), p.R!, grads[i]!.R, [dims[i]!, adapter.experts])
        dense.push(adapterNames.router(i))
      }
    }
  }
  const masks = w.layers.flatMap((p, i) => (p.mask ? [{ name: io.mask(i), width: dims[i]! }] : []))
  return {
    model: g.toModel(),
    dense,
    sparseEmbedding: true,
    sceneRowsOnly: sceneRows !== undefined,
    weights: w.weights,
    masks,
  }
}

export interface ForwardGraph {
  model: Uint8Array
  weights: string[]
}

/** Inference: outputs `pred` [N] int64 (argmax, first index on ties) and, if asked, `logits` [N, V]. */
export function buildForwardGraph(
  shape: GraphShape,
  adapter: AdapterMethod | null,
  opts: { logits?: boolean } = {},
): ForwardGraph {
  const g = new GraphBuilder(`coin-learner-forward-${adapter?.kind ?? 'base'}`)
  const net = new Network(g, adapter)
  const w = declareWeights(g, shape, adapter)
  const batch = declareBatch(g)
  const rows = g.op('Gather', [w.embedding, batch.ids], { axis: attr.int(0) }, 'rows')
  const { logits } = forward(net, net.embeddingBag(rows, batch.local, batch.wts), w.layers)
  g.output('pred', g.op('ArgMax', [logits], { axis: attr.int(1), keepdims: attr.int(0) }), 'int64')
  if (opts.logits) g.output('logits', logits)
  return { model: g.toModel(), weights: w.weights }
}
