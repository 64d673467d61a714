/**
 * Inference: argmax over the answer vocabulary with the base weights plus the adapter, if any
 * (kept unmerged, like CoIN's MoELoRA whose merge() is a no-op).
 */
import { BatchBuilder } from './batch.ts'
import { buildForwardGraph, graphShape } from './graphs.ts'
import { prepareExample } from './prepare.ts'
import { DEFAULT_THREADS, getSession, loadOrt } from './session.ts'
import type { Checkpoint, Example, PredictOptions } from './types.ts'

const DEFAULT_PREDICT_BATCH = 512

async function runForward(ckpt: Checkpoint, data: Example[], opts: PredictOptions, logits: boolean) {
  const threads = opts.threads ?? DEFAULT_THREADS
  const batchSize = opts.batchSize ?? DEFAULT_PREDICT_BATCH
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`)
  const shape = graphShape(ckpt.config)
  const method = ckpt.adapter?.method ?? null
  const key = JSON.stringify({ graph: 'forward', shape, method, logits })
  const [ort, session] = await Promise.all([
    loadOrt(),
    getSession(key, threads, () => buildForwardGraph(shape, method, { logits }).model),
  ])
  const weights = { ...ckpt.base, ...ckpt.adapter?.tensors }
  const weightFeeds = Object.fromEntries(
    Object.entries(weights).map(([name, t]) => [name, new ort.Tensor('float32', t.data, t.shape)]),
  )
  const prepared = data.map((ex) => prepareExample(ex, ckpt.config.featureDim))
  const builder = new BatchBuilder(ckpt.config.featureDim)
  const preds = new Int32Array(data.length)
  const vocabSize = ckpt.config.vocab.length
  const allLogits = logits ? new Float32Array(data.length * vocabSize) : undefined
  for (let start = 0; start < data.length; start += batchSize) {
    const idx = Int32Array.from({ length: Math.min(batchSize, data.length - start) }, (_, i) => start + i)
    const batch = builder.build(prepared, idx)
    const out = await session.run({
      ...weightFeeds,
      ids: new ort.Tensor('int32', batch.ids, [batch.k]),
      local: new ort.Tensor('int32', batch.local, [batch.n, batch.l]),
      wts: new ort.Tensor('float32', batch.wts, [batch.n, batch.l]),
    })
    const p = out.pred!.data as BigInt64Array
    for (let i = 0; i < batch.n; i++) preds[start + i] = Number(p[i])
    if (allLogits) allLogits.set(out.logits!.data as Float32Array, start * vocabSize)
  }
  return { preds, logits: allLogits }
}

/** The predicted answer string for each example, in order. */
export async function predict(
  ckpt: Checkpoint,
  data: Example[],
  opts: PredictOptions = {},
): Promise<string[]> {
  if (data.length === 0) return []
  const { preds } = await runForward(ckpt, data, opts, false)
  return Array.from(preds, (k) => ckpt.config.vocab[k]!)
}

/** Raw logits [N, V] row-major (for tests and for callers that want scores). */
export async function predictLogits(
  ckpt: Checkpoint,
  data: Example[],
  opts: PredictOptions = {},
): Promise<Float32Array> {
  if (data.length === 0) return new Float32Array(0)
  return (await runForward(ckpt, data, opts, true)).logits!
}
