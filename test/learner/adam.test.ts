/** The in-graph Adam update (dense tensors and the sparse embedding rows) against a float64 reference. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { adamScalars } from '../../rules/learner/adam.ts'
import { buildTrainGraph, graphShape, io } from '../../rules/learner/graphs.ts'
import { Rng } from '../../rules/learner/prng.ts'
import { loadOrt } from '../../rules/learner/session.ts'
import { applyStepOutputs, initialState, stepFeeds, unpackEmbedding } from '../../rules/learner/train.ts'
import type { MethodConfig } from '../../rules/learner/types.ts'
import { batchOf, oneHot, prepared, randomCheckpoint, randomExamples, TINY as TINY1 } from './fixtures.ts'
import { refAdam } from './reference.ts'

const LR = 0.01
const T = 3 // past step 1, so the bias corrections are not trivial

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b))
}

/** got[offset + i] ≈ want[i] for every i. */
function assertClose(got: ArrayLike<number>, want: readonly number[], label: string, offset = 0): void {
  for (let i = 0; i < want.length; i++) {
    assert.ok(close(got[offset + i]!, want[i]!), `${label}[${i}]: ${got[offset + i]} vs ${want[i]}`)
  }
}

for (const method of [{ kind: 'full' }, { kind: 'moelora', r: 4, alpha: 8, experts: 2 }] as MethodConfig[]) {
  test(`one Adam step matches the reference: ${method.kind}`, async () => {
    // Adapters need a layer between the projector and the output layer.
    const TINY = method.kind === 'full' ? TINY1 : { ...TINY1, hidden: [5, 4] }
    const ckpt = randomCheckpoint(TINY, method.kind === 'full' ? null : method, 3)
    const data = randomExamples(3, 3, TINY.vocab)
    const batch = batchOf(TINY, prepared(TINY, data))
    const graph = buildTrainGraph(graphShape(TINY), method, { gradients: true })
    const ort = await loadOrt()
    const session = await ort.InferenceSession.create(graph.model)
    const rng = new Rng(9, 'moments')
    const weights = { ...ckpt.base, ...ckpt.adapter?.tensors }
    const moments: Record<string, { m: Float32Array; v: Float32Array }> = {}
    for (const name of graph.sparseEmbedding ? ['embedding', ...graph.dense] : graph.dense) {
      const n = weights[name]!.data.length
      const m = Float32Array.from({ length: n }, () => rng.range(-0.1, 0.1))
      const v = Float32Array.from({ length: n }, () => rng.range(0, 0.01))
      moments[name] = { m, v }
    }
    const before = structuredClone({ weights, moments })
    const state = initialState(graph, weights, moments)
    const labels = data.map((e) => TINY.vocab.indexOf(e.answer!))
    const out = await session.run(stepFeeds(ort, graph, state, batch, oneHot(labels, 3), adamScalars(LR, T)))
    await session.release()

    for (const name of graph.dense) {
      const grad = out[io.grad(name)]!.data as Float32Array
      const ref = refAdam(
        before.weights[name]!.data,
        grad,
        before.moments[name]!.m,
        before.moments[name]!.v,
        LR,
        T,
      )
      const got = {
        p: out[io.next(name)]!.data as Float32Array,
        m: out[io.next(io.m(name))]!.data as Float32Array,
        v: out[io.next(io.v(name))]!.data as Float32Array,
      }
      for (const key of ['p', 'm', 'v'] as const) assertClose(got[key], ref[key], `${name} ${key}`)
      // Not a no-op: the parameter moved.
      assert.ok(got.p.some((v, i) => v !== before.weights[name]!.data[i]))
    }

    applyStepOutputs(graph, state, batch, out)
    if (method.kind === 'full') {
      // Lazy Adam: rows in the batch follow the formula; every other row and its moments are untouched.
      const D = TINY.embedDim
      const rowsGrad = out[io.grad(io.embeddingRows)]!.data as Float32Array
      const at = new Map(Array.from(batch.ids, (id, k) => [id, k]))
      const E0 = before.weights.embedding!.data
      const after = unpackEmbedding(state.weights[io.packed]!)
      const E1 = after.E.data
      for (let f = 0; f < TINY.featureDim; f++) {
        const k = at.get(f)
        const span = [f * D, (f + 1) * D] as const
        if (k === undefined) {
          assert.equal(E1.slice(...span), E0.slice(...span), `row ${f} changed though absent from the batch`)
          assert.equal(after.m.slice(...span), before.moments.embedding!.m.slice(...span))
          assert.equal(after.v.slice(...span), before.moments.embedding!.v.slice(...span))
          continue
        }
        const ref = refAdam(
          E0.slice(...span),
          rowsGrad.slice(k * D, (k + 1) * D),
          before.moments.embedding!.m.slice(...span),
          before.moments.embedding!.v.slice(...span),
          LR,
          T,
        )
        assertClose(E1, ref.p, `embedding row ${f}`, f * D)
        assertClose(after.m, ref.m, `m embedding row ${f}`, f * D)
        assertClose(after.v, ref.v, `v embedding row ${f}`, f * D)
      }
      assert.ok(at.size > 0 && at.size < TINY.featureDim)
    }
  })
}

test.run()
