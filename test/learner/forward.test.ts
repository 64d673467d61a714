/** The ONNX forward pass (predict graph and train-step loss) against the float64 JS reference. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { adamScalars } from '../../rules/learner/adam.ts'
import { buildTrainGraph, graphShape } from '../../rules/learner/graphs.ts'
import { predict, predictLogits } from '../../rules/learner/index.ts'
import { type AdapterMethod, layerDims } from '../../rules/learner/params.ts'
import { loadOrt } from '../../rules/learner/session.ts'
import { initialState, stepFeeds } from '../../rules/learner/train.ts'
import type { MethodConfig } from '../../rules/learner/types.ts'
import { batchOf, oneHot, prepared, randomCheckpoint, randomExamples, TINY } from './fixtures.ts'
import { refLogits, refLoss } from './reference.ts'

const METHODS: MethodConfig[] = [
  { kind: 'full' },
  { kind: 'lora', r: 2, alpha: 4 },
  { kind: 'moelora', r: 4, alpha: 6, experts: 2 },
]
const CONFIG = { ...TINY, featureDim: 64, embedDim: 6, hidden: [7, 5], vocab: ['a', 'b', 'c', 'd'] }

for (const method of METHODS) {
  test(`forward logits and loss match the JS reference: ${method.kind}`, async () => {
    const adapter: AdapterMethod | null = method.kind === 'full' ? null : method
    const ckpt = randomCheckpoint(CONFIG, adapter, 5)
    const data = randomExamples(9, 5, CONFIG.vocab)
    const prep = prepared(CONFIG, data)
    const model = { dims: layerDims(CONFIG), method: adapter }
    const weights = { ...ckpt.base, ...ckpt.adapter?.tensors }
    const expected = refLogits(
      model,
      Object.fromEntries(Object.entries(weights).map(([k, t]) => [k, t.data])),
      prep,
    )

    // Batch boundaries must not matter: 9 examples in batches of 4.
    const logits = await predictLogits(ckpt, data, { batchSize: 4 })
    const V = CONFIG.vocab.length
    let worst = 0
    for (const [n, row] of expected.entries()) {
      for (const [c, v] of row.entries()) {
        worst = Math.max(worst, Math.abs(v - logits[n * V + c]!) / Math.max(1, Math.abs(v)))
      }
    }
    assert.ok(worst < 1e-5, `logits differ by ${worst}`)
    const preds = await predict(ckpt, data)
    assert.equal(
      preds,
      expected.map((row) => CONFIG.vocab[row.indexOf(Math.max(...row))]),
    )

    const labels = data.map((e) => CONFIG.vocab.indexOf(e.answer!))
    const graph = buildTrainGraph(graphShape(CONFIG), method)
    const ort = await loadOrt()
    const session = await ort.InferenceSession.create(graph.model)
    const state = initialState(graph, weights)
    const out = await session.run(
      stepFeeds(ort, graph, state, batchOf(CONFIG, prep), oneHot(labels, V), adamScalars(1e-3, 1)),
    )
    await session.release()
    const loss = (out.loss!.data as Float32Array)[0]!
    const ref = refLoss(
      model,
      Object.fromEntries(Object.entries(weights).map(([k, t]) => [k, t.data])),
      prep,
      labels,
    )
    assert.ok(Math.abs(loss - ref) < 1e-5 * Math.max(1, ref), `loss ${loss} vs reference ${ref}`)
  })
}

test('an example with no scene and an empty prompt still has the bias feature', async () => {
  const ckpt = randomCheckpoint(CONFIG, null, 1)
  const [p] = await predict(ckpt, [{ prompt: '', scene: null }])
  assert.ok(CONFIG.vocab.includes(p!))
})

test.run()
