/** Checkpoint files: safetensors layout, round trip, byte-identical determinism, corrupt input. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { encodeCheckpoint } from '../../rules/learner/checkpoint.ts'
import { initModel, predict, readCheckpoint, train, writeCheckpoint } from '../../rules/learner/index.ts'
import type { Checkpoint, MethodConfig, ModelConfig } from '../../rules/learner/types.ts'
import { UserError } from '../../src/errors.ts'
import { COLORS, colorTask } from './fixtures.ts'

const CONFIG: ModelConfig = { featureDim: 512, embedDim: 8, hidden: [12, 6], vocab: COLORS, seed: 5 }
const DATA = colorTask(120, 7)
const METHODS: MethodConfig[] = [
  { kind: 'full' },
  { kind: 'lora', r: 4, alpha: 8 },
  { kind: 'moelora', r: 4, alpha: 8, experts: 2 },
]

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'coin-learner-'))
}

/** Stage 1 then stage 2, as a sequence would run them. */
async function twoStages(method: MethodConfig, threads: number): Promise<Checkpoint> {
  const opts = { steps: 40, lr: 0.01, batchSize: 16, threads }
  const s1 = await train(initModel(CONFIG), method, DATA.slice(0, 60), { ...opts, seed: 1 })
  return train(s1, method, DATA.slice(60), { ...opts, seed: 2 })
}

for (const method of METHODS) {
  test(`same inputs, seed and threads give byte-identical checkpoints: ${method.kind}`, async () => {
    for (const threads of [1, 2]) {
      const [a, b] = [
        encodeCheckpoint(await twoStages(method, threads)),
        encodeCheckpoint(await twoStages(method, threads)),
      ]
      assert.ok(
        Buffer.from(a.weights).equals(Buffer.from(b.weights)),
        `weights differ with ${threads} threads`,
      )
      assert.is(a.config, b.config)
    }
    // ...and a different seed gives a different checkpoint (the check is not vacuous).
    const other = await train(initModel(CONFIG), method, DATA, {
      steps: 40,
      lr: 0.01,
      batchSize: 16,
      seed: 9,
    })
    const same = await train(initModel(CONFIG), method, DATA, { steps: 40, lr: 0.01, batchSize: 16, seed: 1 })
    assert.not.ok(
      Buffer.from(encodeCheckpoint(other).weights).equals(Buffer.from(encodeCheckpoint(same).weights)),
    )
  })

  test(`write → read round trip: ${method.kind}`, async () => {
    const ckpt = await twoStages(method, 1)
    const dir = await tempDir()
    try {
      await writeCheckpoint(dir, ckpt)
      const back = await readCheckpoint(dir)
      assert.equal(back.config, ckpt.config)
      assert.equal(back.history, ckpt.history)
      assert.equal(back.adapter?.method ?? null, ckpt.adapter?.method ?? null)
      const all = (c: Checkpoint) => ({ ...c.base, ...c.adapter?.tensors })
      assert.equal(Object.keys(all(back)).sort(), Object.keys(all(ckpt)).sort())
      for (const [name, t] of Object.entries(all(ckpt))) {
        assert.equal(all(back)[name]!.shape, t.shape)
        assert.ok(Buffer.from(all(back)[name]!.data.buffer).equals(Buffer.from(t.data.buffer)), name)
      }
      assert.equal(await predict(back, DATA), await predict(ckpt, DATA))
      // Writing the read-back checkpoint reproduces the same bytes.
      const dir2 = await tempDir()
      await writeCheckpoint(dir2, back)
      for (const f of ['weights.bin', 'config.json']) {
        assert.ok((await readFile(join(dir, f))).equals(await readFile(join(dir2, f))), f)
      }
      await rm(dir2, { recursive: true })
    } finally {
      await rm(dir, { recursive: true })
    }
  })
}

test('weights.bin is a valid safetensors file; config.json documents the model', async () => {
  const ckpt = await train(initModel(CONFIG), METHODS[2]!, DATA, {
    steps: 3,
    lr: 0.01,
    batchSize: 8,
    seed: 1,
  })
  const dir = await tempDir()
  try {
    await writeCheckpoint(dir, ckpt)
    const bytes = await readFile(join(dir, 'weights.bin'))
    const n = Number(bytes.readBigUInt64LE(0))
    assert.is((8 + n) % 8, 0, 'data section is 8-byte aligned')
    const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'))
    const names = Object.keys(header)
    assert.equal(names, [...names].sort(), 'tensors in sorted order')
    assert.ok(names.includes('embedding') && names.includes('adapter.layers.1.router'))
    let end = 0
    for (const name of names) {
      const e = header[name]
      assert.is(e.dtype, 'F32')
      assert.is(e.data_offsets[0], end, `${name} follows the previous tensor`)
      end = e.data_offsets[1]
      assert.is(end - e.data_offsets[0], 4 * e.shape.reduce((a: number, b: number) => a * b, 1))
    }
    assert.is(8 + n + end, bytes.length, 'no trailing bytes')
    const emb = header.embedding
    const first = bytes.readFloatLE(8 + n + emb.data_offsets[0])
    assert.is(first, ckpt.base.embedding!.data[0])
    const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'))
    assert.equal(config.dims, [8, 12, 6, COLORS.length])
    assert.equal(config.adapter, { kind: 'moelora', r: 4, alpha: 8, experts: 2, dropout: 0.05 })
    assert.is(config.history[0].steps, 3)
    assert.equal(config.model.vocab, COLORS)
  } finally {
    await rm(dir, { recursive: true })
  }
})

test('a truncated or mismatched checkpoint is a user error', async () => {
  const dir = await tempDir()
  try {
    await writeCheckpoint(dir, initModel(CONFIG))
    const weights = await readFile(join(dir, 'weights.bin'))
    await writeFile(join(dir, 'weights.bin'), weights.subarray(0, weights.length - 4))
    await assertUserError(() => readCheckpoint(dir))
    await writeFile(join(dir, 'weights.bin'), weights)
    const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'))
    config.model.embedDim = 9
    await writeFile(join(dir, 'config.json'), JSON.stringify(config))
    await assertUserError(() => readCheckpoint(dir), /embedding/)
  } finally {
    await rm(dir, { recursive: true })
  }
})

async function assertUserError(fn: () => Promise<unknown>, pattern?: RegExp): Promise<void> {
  try {
    await fn()
    assert.unreachable()
  } catch (e) {
    assert.instance(e, UserError, String(e))
    if (pattern) assert.match((e as Error).message, pattern)
  }
}

test.run()
