/**
 * The training loop: one train-step session per train() call (cached across calls of the same
 * shape), weights and Adam moments fed in and the updated values fed back every step.
 *
 * Hand-off between stages follows CoIN (DOMAIN.md §1.4): a lora/moelora checkpoint's adapter keeps
 * training in the next stage (no merge), and so does the projector (layer 0, trained in full beside
 * the adapter, as CoIN's mm_projector); each stage starts a fresh optimizer (Adam moments at zero,
 * step count at 1) and its own learning-rate schedule, as each CoIN task is a new training run.
 */
import { createHash } from 'node:crypto'
import type * as Ort from 'onnxruntime-node'
import { UserError } from '../../src/errors.ts'
import { adamScalars } from './adam.ts'
import { type Batch, BatchBuilder } from './batch.ts'
import { buildTrainGraph, graphShape, io, type TrainGraph } from './graphs.ts'
import {
  adapterMatches,
  baseNames,
  canonicalMethod,
  createAdapter,
  DEFAULT_LORA_DROPOUT,
  PROJECTOR_LAYER,
  requireAdaptedLayers,
  validateMethod,
} from './params.ts'
import { labelIndices, type PreparedExample, prepareExample } from './prepare.ts'
import { Rng } from './prng.ts'
import { type LoopState, loadState, type Report, runIdentity, saveState } from './resume.ts'
import { DEFAULT_THREADS, getSession, loadOrt, type OrtModule } from './session.ts'
import type { Adapter, Checkpoint, Example, MethodConfig, Schedule, Tensor, TrainOptions } from './types.ts'

export const PROGRESS_EVERY = 25

/**
 * Everything a single step reads besides the batch. Under `full` the embedding is not in
 * `weights` but in `weights['embedding.packed']` [F, 3·D], its rows interleaved with their Adam
 * moments (see graphs.ts); pack/unpack convert.
 */
export interface StepState {
  /** Every weight input of the graph by name. */
  weights: Record<string, Tensor>
  /** Adam moments of each dense trained tensor. */
  moments: Record<string, { m: Float32Array; v: Float32Array }>
}

/** [F, D] table (+ optional moments, default 0) → [F, 3·D] rows of [E[f] | m[f] | v[f]]. */
export function packEmbedding(E: Tensor, m?: Float32Array, v?: Float32Array): Tensor {
  const [F, D] = E.shape as [number, number]
  const out = new Float32Array(F * 3 * D)
  for (let f = 0; f < F; f++) {
    const src = f * D
    const dst = f * 3 * D
    for (let j = 0; j < D; j++) {
      out[dst + j] = E.data[src + j]!
      if (m) out[dst + D + j] = m[src + j]!
      if (v) out[dst + 2 * D + j] = v[src + j]!
    }
  }
  return { shape: [F, 3 * D], data: out }
}

export function unpackEmbedding(packed: Tensor): { E: Tensor; m: Float32Array; v: Float32Array } {
  const [F, D3] = packed.shape as [number, number]
  const D = D3 / 3
  const E = new Float32Array(F * D)
  const m = new Float32Array(F * D)
  const v = new Float32Array(F * D)
  for (let f = 0; f < F; f++) {
    const src = f * D3
    for (let j = 0; j < D; j++) {
      E[f * D + j] = packed.data[src + j]!
      m[f * D + j] = packed.data[src + D + j]!
      v[f * D + j] = packed.data[src + 2 * D + j]!
    }
  }
  return { E: { shape: [F, D], data: E }, m, v }
}

/**
 * The state a step starts from: `weights` (base + adapter by name, embedding unpacked) with the
 * embedding packed if the graph trains it, and the given moments (zero where absent). The
 * embedding's moments, if given, are under `embedding`.
 */
export function initialState(
  graph: TrainGraph,
  weights: Record<string, Tensor>,
  moments: Record<string, { m: Float32Array; v: Float32Array }> = {},
): StepState {
  const state: StepState = { weights: { ...weights }, moments: {} }
  if (graph.sparseEmbedding) {
    const mv = moments[baseNames.embedding]
    state.weights[io.packed] = packEmbedding(weights[baseNames.embedding]!, mv?.m, mv?.v)
    delete state.weights[baseNames.embedding]
  }
  for (const name of graph.dense) {
    const n = weights[name]!.data.length
    state.moments[name] = moments[name] ?? { m: new Float32Array(n), v: new Float32Array(n) }
  }
  return state
}

/** The feeds of one train step (exported for the gradient and Adam tests). */
export function stepFeeds(
  ort: OrtModule,
  graph: TrainGraph,
  state: StepState,
  batch: Batch,
  y: Float32Array,
  scalars: { stepSize: number; bc2Sqrt: number; decay: number },
  masks: Record<string, Float32Array> = {},
): Record<string, Ort.Tensor> {
  const feeds: Record<string, Ort.Tensor> = {
    ids: new ort.Tensor('int32', batch.ids, [batch.k]),
    local: new ort.Tensor('int32', batch.local, [batch.n, batch.l]),
    wts: new ort.Tensor('float32', batch.wts, [batch.n, batch.l]),
    y: new ort.Tensor('float32', y, [batch.n, y.length / batch.n]),
    'adam.step_size': new ort.Tensor('float32', Float32Array.of(scalars.stepSize), []),
    'adam.bc2_sqrt': new ort.Tensor('float32', Float32Array.of(scalars.bc2Sqrt), []),
    'adam.decay': new ort.Tensor('float32', Float32Array.of(scalars.decay), []),
  }
  if (graph.sceneRowsOnly) feeds[io.sceneRows] = new ort.Tensor('float32', batch.sceneRows, [batch.k])
  for (const { name, width } of graph.masks) {
    const mask = masks[name] ?? new Float32Array(batch.n * width).fill(1)
    feeds[name] = new ort.Tensor('float32', mask, [batch.n, width])
  }
  for (const name of graph.weights) {
    const t = state.weights[name]
    if (!t) throw new Error(`internal error: no weight ${name}`)
    feeds[name] = new ort.Tensor('float32', t.data, t.shape)
  }
  for (const name of graph.dense) {
    const mv = state.moments[name]
    const shape = state.weights[name]!.shape
    if (!mv) throw new Error(`internal error: no moments for ${name}`)
    feeds[io.m(name)] = new ort.Tensor('float32', mv.m, shape)
    feeds[io.v(name)] = new ort.Tensor('float32', mv.v, shape)
  }
  return feeds
}

/** Copies a step's outputs back into `state`: dense tensors are replaced, packed embedding rows written in place. */
export function applyStepOutputs(
  graph: TrainGraph,
  state: StepState,
  batch: Batch,
  out: Ort.InferenceSession.ReturnType,
): void {
  const data = (name: string) => {
    const t = out[name]
    if (!t) throw new Error(`internal error: step output ${name} missing`)
    return t.data as Float32Array
  }
  for (const name of graph.dense) {
    const w = state.weights[name]!
    state.weights[name] = { shape: w.shape, data: data(io.next(name)) }
    state.moments[name] = { m: data(io.next(io.m(name))), v: data(io.next(io.v(name))) }
  }
  if (graph.sparseEmbedding) {
    const table = state.weights[io.packed]!.data
    const width = state.weights[io.packed]!.shape[1]!
    const rows = data(io.packedRows)
    // One contiguous 3·D run per row: a typed-array copy (memcpy) beats an element loop here.
    for (let k = 0; k < batch.k; k++)
      table.set(rows.subarray(k * width, (k + 1) * width), batch.ids[k]! * width)
  }
}

/** A digest of a checkpoint's tensors and config (part of a resumable run's identity). */
function checkpointDigest(ckpt: Checkpoint): string {
  const h = createHash('sha256')
  h.update(
    JSON.stringify({ config: ckpt.config, adapter: ckpt.adapter?.method ?? null, history: ckpt.history }),
  )
  const tensors = {
    ...ckpt.base,
    ...Object.fromEntries(Object.entries(ckpt.adapter?.tensors ?? {}).map(([n, t]) => [`adapter.${n}`, t])),
  }
  for (const name of Object.keys(tensors).sort()) {
    const t = tensors[name]!
    h.update(`${name}[${t.shape.join(',')}]`)
    h.update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength))
  }
  return h.digest('hex')
}

/** A saved state fits this run's graph: the same weight and moment tensors with the same shapes. */
function sameTensors(a: StepState, b: StepState): boolean {
  const shapes = (s: StepState) =>
    JSON.stringify([
      Object.entries(s.weights)
        .map(([n, t]) => [n, t.shape, t.data.length])
        .sort(),
      Object.entries(s.moments)
        .map(([n, mv]) => [n, mv.m.length, mv.v.length])
        .sort(),
    ])
  return shapes(a) === shapes(b)
}

/** The adapter this run trains: the checkpoint's own (continued) or a fresh one. */
function resolveAdapter(ckpt: Checkpoint, method: MethodConfig, seed: number): Adapter | null {
  if (method.kind === 'full') {
    if (ckpt.adapter) {
      throw new UserError({
        message: `cannot train method 'full' on a checkpoint that carries a ${ckpt.adapter.method.kind} adapter`,
        key: 'method',
        fix: `continue with the ${ckpt.adapter.method.kind} method, or start full training from a base checkpoint`,
      })
    }
    return null
  }
  requireAdaptedLayers(ckpt.config, method)
  if (!ckpt.adapter) return createAdapter(ckpt.config, method, seed)
  if (!adapterMatches(ckpt.config, ckpt.adapter, method)) {
    throw new UserError({
      message: `checkpoint's adapter ${JSON.stringify(ckpt.adapter.method)} differs from the method ${JSON.stringify(canonicalMethod(method))}`,
      key: 'method',
      fix: 'CoIN keeps training the same adapter across stages: use the same method, r, alpha and experts in every stage',
    })
  }
  return ckpt.adapter
}

function validateOptions(opts: TrainOptions): void {
  const bad = (key: string, fix: string) => {
    throw new UserError({ message: `invalid training option ${key}`, key, fix })
  }
  if (!Number.isInteger(opts.steps) || opts.steps < 0) bad('steps', 'use a non-negative integer')
  if (!(opts.lr > 0) || !Number.isFinite(opts.lr)) bad('lr', 'use a positive learning rate')
  if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1) bad('batchSize', 'use a positive integer')
  if (!Number.isInteger(opts.seed)) bad('seed', 'use an integer seed')
  const wd = opts.weightDecay ?? 0
  if (!(wd >= 0) || !Number.isFinite(wd)) bad('weightDecay', 'use a non-negative weight decay')
  const s = opts.schedule
  if (s && s.kind !== 'constant' && s.kind !== 'cosine') bad('schedule', "use 'constant' or 'cosine'")
  if (s?.kind === 'cosine' && !(s.warmupRatio >= 0 && s.warmupRatio < 1))
    bad('schedule.warmupRatio', 'use a warmup ratio in [0, 1)')
  if (opts.resume && !(Number.isInteger(opts.resume.every) && opts.resume.every > 0))
    bad('resume.every', 'save every N steps with N a positive integer')
}

/** The learning rate of step t (0-based) of `steps` (see Schedule; HuggingFace's cosine with warmup). */
export function scheduledLr(lr: number, t: number, steps: number, schedule: Schedule | undefined): number {
  if (!schedule || schedule.kind === 'constant') return lr
  const warmup = Math.ceil(steps * schedule.warmupRatio)
  if (t < warmup) return (lr * t) / Math.max(1, warmup)
  const progress = (t - warmup) / Math.max(1, steps - warmup)
  return lr * Math.max(0, 0.5 * (1 + Math.cos(Math.PI * progress)))
}

/** LoRA dropout masks of one step: each entry 0 with probability p, else 1/(1−p) (inverted dropout). */
function dropoutMasks(graph: TrainGraph, n: number, p: number, rng: Rng): Record<string, Float32Array> {
  const keep = 1 / (1 - p)
  const masks: Record<string, Float32Array> = {}
  for (const { name, width } of graph.masks) {
    const mask = new Float32Array(n * width)
    for (let i = 0; i < mask.length; i++) mask[i] = rng.uniform() < p ? 0 : keep
    masks[name] = mask
  }
  return masks
}

/** Epoch-wise shuffled batches: every example once per epoch, order from the seeded PRNG. */
class BatchSampler {
  #rng: Rng
  #order: number[]
  #pos: number
  readonly size: number

  constructor(n: number, batchSize: number, seed: number) {
    this.#rng = new Rng(seed, 'batches')
    this.#order = Array.from({ length: n }, (_, i) => i)
    this.#pos = n
    this.size = Math.min(batchSize, n)
  }

  /** The epoch order, the position in it and the PRNG: what the next batches depend on. */
  get state(): { rng: number[]; order: number[]; pos: number } {
    return { rng: this.#rng.state, order: [...this.#order], pos: this.#pos }
  }

  set state(s: { rng: number[]; order: number[]; pos: number }) {
    if (s.order.length !== this.#order.length) throw new Error('internal error: sampler state of other data')
    this.#rng.state = s.rng
    this.#order = [...s.order]
    this.#pos = s.pos
  }

  next(): Int32Array {
    const out = new Int32Array(this.size)
    for (let i = 0; i < this.size; i++) {
      if (this.#pos >= this.#order.length) {
        this.#rng.shuffle(this.#order)
        this.#pos = 0
      }
      out[i] = this.#order[this.#pos++]!
    }
    return out
  }
}

/**
 * Trains `ckpt` with `method` on `data` and returns a new checkpoint (the input is not modified).
 * `full` trains every base weight (the embedding sparsely, see graphs.ts); lora/moelora train only
 * the adapter, creating it if the checkpoint has none and continuing it if it has one of the same
 * shape (anything else is a user error).
 */
export async function train(
  ckpt: Checkpoint,
  method: MethodConfig,
  data: Example[],
  opts: TrainOptions,
): Promise<Checkpoint> {
  validateMethod(method)
  validateOptions(opts)
  if (data.length === 0)
    throw new UserError({ message: 'no training examples', key: 'data', fix: 'give at least one example' })
  const config = ckpt.config
  const labels = labelIndices(data, config.vocab)
  const adapter = resolveAdapter(ckpt, method, opts.seed)
  const threads = opts.threads ?? DEFAULT_THREADS
  const shape = graphShape(config)
  // Building the graph bytes takes well under a millisecond (no weights are baked in); the session
  // behind them is what is expensive, and it is cached by graph identity.
  const graph = buildTrainGraph(shape, method)
  const graphKey = JSON.stringify({ graph: 'train', shape, method: canonicalMethod(method) })
  const [ort, session] = await Promise.all([loadOrt(), getSession(graphKey, threads, () => graph.model)])

  const full = method.kind === 'full'
  // Dense tensors are replaced by each step's outputs, never written in place; the embedding is
  // updated in place, but in a packed copy, so the input checkpoint is never modified.
  const state = initialState(graph, { ...ckpt.base, ...adapter?.tensors })

  const prepared: PreparedExample[] = data.map((ex) => prepareExample(ex, config.featureDim))
  const builder = new BatchBuilder(config.featureDim)
  const sampler = new BatchSampler(data.length, opts.batchSize, opts.seed)
  const dropoutRng = new Rng(opts.seed, 'dropout')
  const dropout = method.kind === 'full' ? 0 : (method.dropout ?? DEFAULT_LORA_DROPOUT)
  const vocabSize = config.vocab.length
  let windowLoss = 0
  let windowSteps = 0
  let lastLoss: number | null = null
  let reports: Report[] = []
  let first = 1

  // Resumable: continue from the last saved state of this very run (see resume.ts).
  const resume = opts.resume
  const run = resume
    ? runIdentity({
        ckpt: checkpointDigest(ckpt),
        method,
        data,
        // What the steps compute with (not callbacks or the signal): the same run resumes.
        opts: [opts.steps, opts.lr, opts.schedule, opts.weightDecay, opts.batchSize, opts.seed, threads],
      })
    : ''
  const loop = (step: number): LoopState => ({
    step,
    batchRng: sampler.state.rng,
    dropoutRng: dropoutRng.state,
    order: sampler.state.order,
    pos: sampler.state.pos,
    windowLoss,
    windowSteps,
    lastLoss,
    reports,
  })
  let saved = 0
  const saved0 = resume ? loadState(resume.dir, run) : undefined
  if (resume && saved0 && sameTensors(state, saved0.tensors)) {
    const l = saved0.loop
    state.weights = saved0.tensors.weights
    state.moments = saved0.tensors.moments
    sampler.state = { rng: l.batchRng, order: l.order, pos: l.pos }
    dropoutRng.state = l.dropoutRng
    windowLoss = l.windowLoss
    windowSteps = l.windowSteps
    lastLoss = l.lastLoss
    reports = [...l.reports]
    first = l.step + 1
    saved = l.step
    resume.onResume?.(l.step, [...reports])
  }
  for (let step = first; step <= opts.steps; step++) {
    if (opts.signal?.aborted) {
      // Interrupted between steps: the state is whole, so keep the progress up to here.
      if (resume && step - 1 > saved) saveState(resume.dir, run, state, loop(step - 1))
      throw opts.signal.reason ?? new Error('training aborted')
    }
    const idx = sampler.next()
    const batch = builder.build(prepared, idx)
    const y = new Float32Array(batch.n * vocabSize)
    for (let i = 0; i < batch.n; i++) y[i * vocabSize + labels[idx[i]!]!] = 1
    const lr = scheduledLr(opts.lr, step - 1, opts.steps, opts.schedule)
    const scalars = adamScalars(lr, step, opts.weightDecay ?? 0)
    const masks = dropoutMasks(graph, batch.n, dropout, dropoutRng)
    const out = await session.run(stepFeeds(ort, graph, state, batch, y, scalars, masks))
    applyStepOutputs(graph, state, batch, out)
    windowLoss += (out.loss!.data as Float32Array)[0]!
    windowSteps++
    if (step % PROGRESS_EVERY === 0 || step === opts.steps) {
      lastLoss = windowLoss / windowSteps
      opts.onProgress?.({ step, total: opts.steps, loss: lastLoss })
      reports.push({ step, total: opts.steps, loss: lastLoss })
      windowLoss = 0
      windowSteps = 0
    }
    if (resume && step % resume.every === 0 && step < opts.steps) {
      saveState(resume.dir, run, state, loop(step))
      saved = step
    }
  }

  const pick = (names: string[]) => Object.fromEntries(names.map((n) => [n, state.weights[n]!]))
  let base = ckpt.base
  if (!full) {
    // The projector trained beside the adapter (layer 0 and the scene rows of the embedding, whose
    // text rows came back unchanged); every other base tensor stayed frozen.
    const projector = [baseNames.weight(PROJECTOR_LAYER), baseNames.bias(PROJECTOR_LAYER)]
    const embedding = unpackEmbedding(state.weights[io.packed]!).E
    base = { ...ckpt.base, ...pick(projector), [baseNames.embedding]: embedding }
  } else {
    const embedding = unpackEmbedding(state.weights[io.packed]!).E
    base = Object.fromEntries(
      Object.keys(ckpt.base).map((n) => [n, n === baseNames.embedding ? embedding : state.weights[n]!]),
    )
  }
  return {
    config,
    base,
    adapter: adapter ? { method: adapter.method, tensors: pick(Object.keys(adapter.tensors)) } : null,
    history: [
      ...ckpt.history,
      {
        method: canonicalMethod(method),
        steps: opts.steps,
        lr: opts.lr,
        schedule: opts.schedule ?? { kind: 'constant' },
        weightDecay: opts.weightDecay ?? 0,
        batchSize: opts.batchSize,
        seed: opts.seed,
        threads,
        examples: data.length,
        finalLoss: lastLoss,
      },
    ],
  }
}
