/** CoIN's optimisation protocol: HuggingFace's cosine schedule with warmup, AdamW decay, LoRA dropout. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { adamScalars } from '../../rules/learner/adam.ts'
import { initModel, train } from '../../rules/learner/index.ts'
import { scheduledLr } from '../../rules/learner/train.ts'
import type { Checkpoint, ModelConfig } from '../../rules/learner/types.ts'
import { COLORS, colorTask } from './fixtures.ts'

const COSINE = { kind: 'cosine', warmupRatio: 0.03 } as const

test("cosine with warmup 0.03 is transformers' get_cosine_schedule_with_warmup", () => {
  // 300 steps: warmup = ceil(0.03·300) = 9; step t (0-based) of the optimizer.
  assert.is(scheduledLr(0.01, 0, 300, COSINE), 0)
  assert.ok(Math.abs(scheduledLr(0.01, 3, 300, COSINE) - 0.01 / 3) < 1e-15)
  assert.is(scheduledLr(0.01, 9, 300, COSINE), 0.01)
  // halfway through the decay: ½(1 + cos(π/2)) = ½
  assert.ok(Math.abs(scheduledLr(1, 9 + 145.5, 300, COSINE) - 0.5) < 1e-12)
  assert.ok(scheduledLr(1, 299, 300, COSINE) < 1e-3)
  assert.is(scheduledLr(0.01, 0, 300, { kind: 'constant' }), 0.01)
  assert.is(scheduledLr(0.01, 0, 300, undefined), 0.01)
})

test('AdamW decay: 1 − lr_t·weight_decay, exactly 1 at weight_decay 0 (CoIN)', () => {
  assert.is(adamScalars(0.01, 1).decay, 1)
  assert.ok(Math.abs(adamScalars(0.01, 1, 0.1).decay - 0.999) < 1e-15)
})

const CONFIG: ModelConfig = { featureDim: 1024, embedDim: 8, hidden: [16, 16], vocab: COLORS, seed: 1 }
const DATA = colorTask(64, 1)
const bytes = (c: Checkpoint) =>
  [...Object.values(c.base), ...Object.values(c.adapter?.tensors ?? {})].map((t) =>
    Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('base64'),
  )

test('the schedule, the decay and LoRA dropout change training, deterministically', async () => {
  const method = { kind: 'lora', r: 4, alpha: 8 } as const
  const opts = { steps: 20, lr: 0.01, batchSize: 16, seed: 2 }
  const plain = await train(initModel(CONFIG), { ...method, dropout: 0 }, DATA, opts)
  const dropped = await train(initModel(CONFIG), method, DATA, opts)
  const again = await train(initModel(CONFIG), method, DATA, opts)
  const cosine = await train(initModel(CONFIG), method, DATA, { ...opts, schedule: COSINE })
  const decayed = await train(initModel(CONFIG), method, DATA, { ...opts, weightDecay: 0.5 })
  assert.equal(bytes(dropped), bytes(again), 'same seed, same bytes')
  assert.not.equal(bytes(dropped), bytes(plain), 'dropout 0.05 (the default) changes the result')
  assert.not.equal(bytes(cosine), bytes(dropped))
  assert.not.equal(bytes(decayed), bytes(dropped))
  assert.equal(cosine.history[0]?.schedule, COSINE)
  assert.is(decayed.history[0]?.weightDecay, 0.5)
})

test.run()
