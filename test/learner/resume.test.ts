/**
 * Resumable training (rules/learner/resume.ts): a run aborted mid-way and resumed from its saved
 * state ends byte-identical to a run that never stopped, for every method (LoRA dropout draws
 * from a PRNG too); a state of another run is not loaded.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { encodeCheckpoint } from '../../rules/learner/checkpoint.ts'
import { initModel, train } from '../../rules/learner/index.ts'
import { STATE_FILE } from '../../rules/learner/resume.ts'
import type { Checkpoint, MethodConfig, ModelConfig, TrainOptions } from '../../rules/learner/types.ts'
import { COLORS, colorTask } from './fixtures.ts'

const CONFIG: ModelConfig = { featureDim: 512, embedDim: 8, hidden: [12, 6], vocab: COLORS, seed: 5 }
// 70 examples in batches of 16: epochs end mid-batch, so the sampler's position matters.
const DATA = colorTask(70, 7)
const OPTS: TrainOptions = {
  steps: 110,
  lr: 0.01,
  batchSize: 16,
  seed: 3,
  schedule: { kind: 'cosine', warmupRatio: 0.1 },
}
const METHODS: MethodConfig[] = [
  { kind: 'full' },
  { kind: 'lora', r: 4, alpha: 8, dropout: 0.2 },
  { kind: 'moelora', r: 4, alpha: 8, experts: 2, dropout: 0.2 },
]

const bytes = (c: Checkpoint) => {
  const e = encodeCheckpoint(c)
  return { weights: Buffer.from(e.weights), config: e.config }
}

/** A model after a full pre-training, so lora/moelora continue a checkpoint as stages do. */
const base = train(initModel(CONFIG), { kind: 'full' }, DATA, { ...OPTS, steps: 20 })

for (const method of METHODS) {
  test(`aborted at a step past a save, then resumed: byte-identical to an uninterrupted run (${method.kind})`, async () => {
    const start = await base
    const dir = await mkdtemp(join(tmpdir(), 'coin-resume-'))
    const reference = bytes(await train(start, method, DATA, OPTS))

    // First attempt: saves every 20 steps, aborted after step 50 (a state between saves).
    const controller = new AbortController()
    const seen: number[] = []
    const aborted = await train(start, method, DATA, {
      ...OPTS,
      signal: controller.signal,
      resume: { dir, every: 20 },
      onProgress: (p) => {
        seen.push(p.step)
        if (p.step === 50) controller.abort(new Error('stop'))
      },
    }).then(
      () => false,
      () => true,
    )
    assert.ok(aborted, 'the first attempt must be interrupted')
    assert.equal(seen, [25, 50])
    assert.equal(await readdir(dir), [STATE_FILE])

    // Second attempt resumes at step 50 (saved on abort), reports only later steps, and ends equal.
    let resumedAt = -1
    let before: number[] = []
    const after: number[] = []
    const resumed = await train(start, method, DATA, {
      ...OPTS,
      resume: {
        dir,
        every: 20,
        onResume: (step, reports) => {
          resumedAt = step
          before = reports.map((r) => r.step)
        },
      },
      onProgress: (p) => after.push(p.step),
    })
    assert.is(resumedAt, 50)
    assert.equal(before, [25, 50])
    assert.equal(after, [75, 100, 110])
    const got = bytes(resumed)
    assert.ok(got.weights.equals(reference.weights), 'weights differ from the uninterrupted run')
    assert.is(got.config, reference.config)
    await rm(dir, { recursive: true, force: true })
  })
}

test('a state saved by another run (other seed) is ignored: the run starts at step 1', async () => {
  const start = await base
  const dir = await mkdtemp(join(tmpdir(), 'coin-resume-'))
  const controller = new AbortController()
  await train(start, { kind: 'full' }, DATA, {
    ...OPTS,
    signal: controller.signal,
    resume: { dir, every: 20 },
    onProgress: (p) => p.step === 50 && controller.abort(new Error('stop')),
  }).catch(() => undefined)
  let resumedAt: number | undefined
  const other = await train(start, { kind: 'full' }, DATA, {
    ...OPTS,
    seed: 4,
    resume: { dir, every: 1000, onResume: (s) => (resumedAt = s) },
  })
  assert.is(resumedAt, undefined)
  const fresh = await train(start, { kind: 'full' }, DATA, { ...OPTS, seed: 4 })
  assert.ok(bytes(other).weights.equals(bytes(fresh).weights))
  await rm(dir, { recursive: true, force: true })
})

test.run()
