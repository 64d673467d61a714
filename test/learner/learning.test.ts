/** End-to-end training through train()/predict() on a synthetic task, for each method. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { fnv1a32 } from '../../rules/learner/featurize.ts'
import { initModel, predict, train } from '../../rules/learner/index.ts'
import type { Checkpoint, MethodConfig, ModelConfig } from '../../rules/learner/types.ts'
import { UserError } from '../../src/errors.ts'
import { accuracy, COLORS, colorTask } from './fixtures.ts'

// hidden [projector, LLM layer]: adapters sit on layer 1 only.
const CONFIG: ModelConfig = { featureDim: 4096, embedDim: 16, hidden: [32, 32], vocab: COLORS, seed: 1 }
const TRAIN = colorTask(300, 1)
const TEST = colorTask(150, 2)
const CHANCE = 1 / COLORS.length
const LORA: MethodConfig = { kind: 'lora', r: 8, alpha: 16 }
const MOE: MethodConfig = { kind: 'moelora', r: 8, alpha: 16, experts: 4 }

function bytesOf(ckpt: Checkpoint, group: 'base' | 'adapter'): Map<string, string> {
  const tensors = group === 'base' ? ckpt.base : (ckpt.adapter?.tensors ?? {})
  return new Map(
    Object.entries(tensors).map(([k, t]) => [
      k,
      Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('base64'),
    ]),
  )
}

test('full training learns the task (held-out accuracy far above chance)', async () => {
  const before = await predict(initModel(CONFIG), TEST)
  const ckpt = await train(initModel(CONFIG), { kind: 'full' }, TRAIN, {
    steps: 200,
    lr: 0.01,
    batchSize: 32,
    seed: 3,
  })
  const acc = accuracy(await predict(ckpt, TEST), TEST)
  assert.ok(accuracy(before, TEST) < 0.4, 'an untrained model is near chance')
  assert.ok(acc > 0.8, `held-out accuracy ${acc}`)
  assert.is(ckpt.adapter, null)
})

for (const method of [LORA, MOE]) {
  test(`${method.kind} learns on a frozen base (but the projector) and leaves the rest bit-identical`, async () => {
    const base = initModel(CONFIG)
    const baseBytes = bytesOf(base, 'base')
    // The projector (layer 0 and the embedding's scene rows) trains; the rest is frozen.
    const frozen = (b: Map<string, string>) =>
      new Map([...b].filter(([k]) => !k.startsWith('layers.0.') && k !== 'embedding'))
    const row = (c: Checkpoint, f: string) => {
      const id = fnv1a32(f) % CONFIG.featureDim
      return Array.from(c.base.embedding!.data.subarray(id * CONFIG.embedDim, (id + 1) * CONFIG.embedDim))
    }
    const ckpt = await train(base, method, TRAIN, { steps: 300, lr: 0.03, batchSize: 32, seed: 3 })
    const acc = accuracy(await predict(ckpt, TEST), TEST)
    // The base (embedding included) is random and frozen, so the adapter sees a fixed random
    // projection of the features: it learns, but less than full training.
    assert.ok(acc > 2 * CHANCE, `held-out accuracy ${acc} (chance ${CHANCE.toFixed(3)})`)
    assert.equal(frozen(bytesOf(ckpt, 'base')), frozen(baseBytes))
    // The projector trains in full beside the adapter, as CoIN's mm_projector does: layer 0 and
    // the rows of scene features; a text feature's row (the bias feature) stays as it was.
    assert.is.not(bytesOf(ckpt, 'base').get('layers.0.weight'), baseBytes.get('layers.0.weight'))
    assert.equal(row(ckpt, 'bias'), row(base, 'bias'))
    assert.is.not(bytesOf(ckpt, 'base').get('embedding'), baseBytes.get('embedding'))
    assert.equal(bytesOf(base, 'base'), baseBytes, 'the input checkpoint is not modified')
    assert.equal(ckpt.adapter?.method, { ...method, dropout: 0.05 })
    assert.equal(
      Object.keys(ckpt.adapter!.tensors).filter((k) => k.startsWith('layers.2')),
      [],
      'no adapter on the output layer',
    )
  })

  test(`${method.kind}: a second train() continues the same adapter`, async () => {
    const opts = { lr: 0.03, batchSize: 32, seed: 3 }
    const first = await train(initModel(CONFIG), method, TRAIN, { ...opts, steps: 150 })
    // Zero steps: the adapter comes back exactly as it went in (continued, not re-initialised).
    const same = await train(first, method, TRAIN, { ...opts, steps: 0, seed: 99 })
    assert.equal(bytesOf(same, 'adapter'), bytesOf(first, 'adapter'))
    const second = await train(first, method, TRAIN, { ...opts, steps: 150, seed: 4 })
    assert.not.equal(bytesOf(second, 'adapter'), bytesOf(first, 'adapter'))
    assert.is(second.history.length, 2)
    const a1 = accuracy(await predict(first, TRAIN), TRAIN)
    const a2 = accuracy(await predict(second, TRAIN), TRAIN)
    assert.ok(a2 >= a1 - 0.02, `training accuracy ${a1} → ${a2} after continuing`)
  })
}

test('mismatched methods on an adapter checkpoint are user errors', async () => {
  const ckpt = await train(initModel(CONFIG), LORA, TRAIN, { steps: 5, lr: 0.01, batchSize: 8, seed: 1 })
  const opts = { steps: 1, lr: 0.01, batchSize: 8, seed: 1 }
  for (const method of [
    { kind: 'lora', r: 4, alpha: 16 },
    { kind: 'lora', r: 8, alpha: 8 },
    MOE,
    { kind: 'full' },
  ] as MethodConfig[]) {
    try {
      await train(ckpt, method, TRAIN, opts)
      assert.unreachable(`${JSON.stringify(method)} was accepted`)
    } catch (e) {
      assert.instance(e, UserError, String(e))
    }
  }
})

test('an answer outside the vocabulary is a user error naming the example', async () => {
  const data = [...TRAIN.slice(0, 3), { prompt: 'x', scene: null, answer: 'mauve' }]
  try {
    await train(initModel(CONFIG), { kind: 'full' }, data, { steps: 1, lr: 0.01, batchSize: 2, seed: 1 })
    assert.unreachable()
  } catch (e) {
    assert.instance(e, UserError)
    assert.is((e as UserError).diagnostic.key, 'examples[3].answer')
    assert.match((e as UserError).message, /mauve/)
  }
})

test('progress is reported every 25 steps and at the end; the loss falls', async () => {
  const seen: { step: number; total: number; loss: number }[] = []
  await train(initModel(CONFIG), { kind: 'full' }, TRAIN, {
    steps: 110,
    lr: 0.01,
    batchSize: 32,
    seed: 3,
    onProgress: (p) => seen.push(p),
  })
  assert.equal(
    seen.map((p) => p.step),
    [25, 50, 75, 100, 110],
  )
  assert.ok(seen.every((p) => p.total === 110 && Number.isFinite(p.loss)))
  assert.ok(seen.at(-1)!.loss < seen[0]!.loss / 2, `loss ${seen[0]!.loss} → ${seen.at(-1)!.loss}`)
})

test('an abort signal stops training', async () => {
  const controller = new AbortController()
  let steps = 0
  const run = train(initModel(CONFIG), { kind: 'full' }, TRAIN, {
    steps: 10_000,
    lr: 0.01,
    batchSize: 8,
    seed: 1,
    signal: controller.signal,
    onProgress: (p) => {
      steps = p.step
      if (p.step === 50) controller.abort(new Error('stop here'))
    },
  })
  try {
    await run
    assert.unreachable()
  } catch (e) {
    assert.is((e as Error).message, 'stop here')
  }
  assert.is(steps, 50)
})

test.run()
