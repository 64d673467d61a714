/**
 * Every hand-derived gradient of the train-step graph (exposed as `grad:*` outputs by the same
 * builder that makes the real train step) against central finite differences of the independent
 * float64 reference loss, for each method, on tiny shapes with every weight random.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { buildTrainGraph, graphShape, io } from '../../rules/learner/graphs.ts'
import { type AdapterMethod, layerDims } from '../../rules/learner/params.ts'
import { Rng } from '../../rules/learner/prng.ts'
import { loadOrt } from '../../rules/learner/session.ts'
import { initialState, stepFeeds } from '../../rules/learner/train.ts'
import type { MethodConfig, ModelConfig } from '../../rules/learner/types.ts'
import { batchOf, oneHot, prepared, randomCheckpoint, randomExamples, TINY } from './fixtures.ts'
import { refLoss, type Weights } from './reference.ts'

const H = 1e-6
const TOL = 1e-2

/** |a − b| / max(|a|, |b|, floor): relative, except near zero where float32 noise dominates. */
export function relErr(a: number, b: number, floor = 1e-4): number {
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), floor)
}

/** LoRA dropout masks for a gradient check: fixed, half the entries dropped (p = 0.5, kept ×2). */
function fixedMasks(graph: { masks: { name: string; width: number }[] }, n: number) {
  const rng = new Rng(3, 'test-masks')
  return Object.fromEntries(
    graph.masks.map(({ name, width }) => [
      name,
      Float32Array.from({ length: n * width }, () => (rng.uniform() < 0.5 ? 0 : 2)),
    ]),
  )
}

async function analyticAndNumeric(config: ModelConfig, method: MethodConfig, seed: number) {
  const adapter: AdapterMethod | null = method.kind === 'full' ? null : method
  const ckpt = randomCheckpoint(config, adapter, seed)
  const data = randomExamples(3, seed, config.vocab)
  const labels = data.map((e) => config.vocab.indexOf(e.answer!))
  const prep = prepared(config, data)
  const batch = batchOf(config, prep)
  const graph = buildTrainGraph(graphShape(config), method, { gradients: true })
  const ort = await loadOrt()
  const session = await ort.InferenceSession.create(graph.model)
  const weightsIn = { ...ckpt.base, ...ckpt.adapter?.tensors }
  const state = initialState(graph, weightsIn)
  const masks = fixedMasks(graph, data.length)
  const scalars = { stepSize: 1e-3, bc2Sqrt: 1, decay: 1 }
  const out = await session.run(
    stepFeeds(ort, graph, state, batch, oneHot(labels, config.vocab.length), scalars, masks),
  )
  await session.release()

  const width = new Map(graph.masks.map((m) => [m.name, m.width]))
  const mask = (n: number, i: number) => {
    const all = masks[`dropout.mask:${i}`]
    const w = width.get(`dropout.mask:${i}`)
    return all && w ? all.subarray(n * w, (n + 1) * w) : undefined
  }
  const model = { dims: layerDims(config), method: adapter, mask }
  const weights: Record<string, Float64Array> = Object.fromEntries(
    Object.entries(weightsIn).map(([k, t]) => [k, Float64Array.from(t.data)]),
  )
  const fd = (name: string, i: number): number => {
    const w = weights[name]!
    const keep = w[i]!
    w[i] = keep + H
    const up = refLoss(model, weights as Weights, prep, labels)
    w[i] = keep - H
    const down = refLoss(model, weights as Weights, prep, labels)
    w[i] = keep
    return (up - down) / (2 * H)
  }
  return { out, graph, batch, fd, weights, config }
}

const METHODS: MethodConfig[] = [
  { kind: 'full' },
  { kind: 'lora', r: 2, alpha: 4, dropout: 0 },
  { kind: 'lora', r: 2, alpha: 4, dropout: 0.5 },
  { kind: 'moelora', r: 4, alpha: 6, experts: 2, dropout: 0 },
  { kind: 'moelora', r: 4, alpha: 6, experts: 2, dropout: 0.5 },
]
// Adapters need a layer between the projector (layer 0) and the output layer.
const configsFor = (method: MethodConfig): ModelConfig[] =>
  method.kind === 'full'
    ? [TINY, { ...TINY, hidden: [5, 4] }]
    : [
        { ...TINY, hidden: [5, 4] },
        { ...TINY, hidden: [5, 4, 3] },
      ]

for (const method of METHODS) {
  for (const config of configsFor(method)) {
    const label = `${method.kind}${method.kind === 'full' ? '' : ` dropout ${method.dropout}`}`
    test(`gradients match finite differences: ${label}, hidden [${config.hidden}]`, async () => {
      const { out, graph, batch, fd } = await analyticAndNumeric(config, method, 11)
      const checked: string[] = []
      for (const name of graph.dense) {
        const g = out[io.grad(name)]!.data as Float32Array
        let worst = 0
        let norm = 0
        for (let i = 0; i < g.length; i++) {
          worst = Math.max(worst, relErr(g[i]!, fd(name, i)))
          norm += Math.abs(g[i]!)
        }
        assert.ok(worst < TOL, `${name}: max relative error ${worst}`)
        assert.ok(norm > 1e-3, `${name}: gradient is all ~0 (a vacuous check)`)
        checked.push(name)
      }
      if (method.kind === 'full') {
        // d rows[k] is the gradient of embedding row ids[k]; every other row's gradient must be 0.
        const rows = out[io.grad(io.embeddingRows)]!.data as Float32Array
        const D = config.embedDim
        const at = new Map(Array.from(batch.ids, (id, k) => [id, k]))
        let worst = 0
        for (let f = 0; f < config.featureDim; f++) {
          for (let d = 0; d < D; d++) {
            const k = at.get(f)
            const analytic = k === undefined ? 0 : rows[k * D + d]!
            worst = Math.max(worst, relErr(analytic, fd('embedding', f * D + d)))
          }
        }
        assert.ok(worst < TOL, `embedding: max relative error ${worst}`)
        assert.ok(
          at.size < config.featureDim,
          'some rows are absent from the batch (their zero gradient is checked)',
        )
        checked.push('embedding')
        assert.is(checked.length, 1 + 2 * (config.hidden.length + 1))
      } else {
        // Text rows (prompt words, bias) are frozen under adapters: no gradient; scene rows
        // (here the empty scene's counts, "no target", ...) belong to the projector and get one.
        const rows = out[io.grad(io.embeddingRows)]!.data as Float32Array
        const D = config.embedDim
        const rowNorm = (k: number) => rows.subarray(k * D, (k + 1) * D).reduce((a, v) => a + Math.abs(v), 0)
        const ks = Array.from(batch.sceneRows.keys())
        assert.ok(ks.some((k) => batch.sceneRows[k] === 0) && ks.some((k) => batch.sceneRows[k] === 1))
        for (const k of ks) assert.is(rowNorm(k) > 0, batch.sceneRows[k] === 1, `row ${k}`)
        // The projector's weight and bias, then the adapter of every layer between it and the output.
        const perLayer = method.kind === 'lora' ? 2 : 3
        assert.is(checked.length, 2 + perLayer * (config.hidden.length - 1))
        assert.ok(checked.includes('layers.0.weight') && !checked.some((n) => n.startsWith('layers.0.lora')))
        const output = `layers.${config.hidden.length}`
        assert.not.ok(
          checked.some((n) => n.startsWith(output)),
          'the output layer has no adapter',
        )
      }
    })
  }
}

test('the gradient check fails on a wrong gradient', async () => {
  const config = { ...TINY, hidden: [5, 4] }
  const { out, fd } = await analyticAndNumeric(config, { kind: 'lora', r: 2, alpha: 4, dropout: 0 }, 11)
  const g = Float64Array.from(out[io.grad('layers.1.lora_A')]!.data as Float32Array)
  // A 5% error in one element, or the transpose's layout (a classic backward bug), must be caught.
  let i = 0
  while (Math.abs(g[i]!) < 1e-2) i++
  const numeric = Array.from(g, (_, j) => fd('layers.1.lora_A', j))
  assert.ok(relErr(g[i]! * 1.05, numeric[i]!) > TOL)
  const [fin, r] = [config.hidden[0]!, 2]
  const transposed = Array.from(g, (_, j) => g[(j % fin) * r + Math.floor(j / fin)]!)
  assert.ok(Math.max(...transposed.map((v, j) => relErr(v, numeric[j]!))) > TOL)
})

test.run()
