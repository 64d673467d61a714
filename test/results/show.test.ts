import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { shortNames, showCommand } from '../../src/cli/commands/show.ts'
import { recordRun } from '../../src/results/index.ts'
import { experiment, FULL, TASKS, tempDir } from './matrix-fixture.ts'

async function threeRuns(): Promise<string> {
  const db = join(tempDir(), 'coin.duckdb')
  const params = (lr: number, r: number) => ({
    stages: { vqav2: { lr, steps: 300 }, gqa: { lr: 0.01, steps: 300 } },
    methods: { lora: { r } },
    seed: 0,
  })
  await recordRun(db, experiment('lora', 'sequential', TASKS, FULL), { params: params(0.01, 8) })
  const second = experiment('lora', 'sequential', TASKS, { ...FULL, 3: [10, 20, 30] })
  for (const s of second.scores) s.key = `${s.key}-2`
  await recordRun(db, second, { params: params(0.001, 8), overrides: ['stages.vqav2.lr=0.001'] })
  await recordRun(db, experiment('lora', 'sequential', TASKS, FULL), { params: params(0.01, 16) })
  return db
}

test('only the params that differ, under their shortest distinct names', async () => {
  const out = await showCommand({ db: await threeRuns() })
  const [header, , ...rows] = out.trimEnd().split('\n')
  assert.match(
    header ?? '',
    /^run\s+experiment\s+kind\s+lora\.r\s+vqav2\.lr\s+acc\s+bwt\s+forgetting\s+fwt\s+maa\s+relative_gain$/,
  )
  assert.equal(
    rows.map((r) => r.split(/\s+/).slice(0, 6)),
    [
      ['r1', 'lora', 'sequential', '8', '0.01', '60.00'],
      ['r2', 'lora', 'sequential', '8', '0.001', '20.00'],
      ['r3', 'lora', 'sequential', '16', '0.01', '60.00'],
    ],
  )
  assert.equal(shortNames(['stages.vqav2.lr', 'stages.gqa.lr', 'base.lr']), ['vqav2.lr', 'gqa.lr', 'base.lr'])
})

test('a narrow terminal drops the least informative columns and says which', async () => {
  const out = await showCommand({ db: await threeRuns(), width: 50 })
  const lines = out.trimEnd().split('\n')
  for (const line of lines.slice(0, -1)) assert.ok([...line].length <= 50, `too wide: ${line}`)
  assert.match(lines[lines.length - 1] ?? '', /hidden to fit the terminal: .*kind/)
  assert.match(lines[0] ?? '', /^run\s+experiment.*acc/)
})

test('--last, --sort, --where on a param and on a metric', async () => {
  const db = await threeRuns()
  const ids = (text: string) =>
    text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).run)
  assert.equal(ids(await showCommand({ db, json: true, last: 2 })), ['r2', 'r3'])
  assert.equal(ids(await showCommand({ db, json: true, sort: '-acc' })).at(-1), 'r2')
  assert.equal(ids(await showCommand({ db, json: true, where: ['stages.vqav2.lr = 0.001'] })), ['r2'])
  assert.equal(ids(await showCommand({ db, json: true, where: ['acc > 50', 'methods.lora.r != 16'] })), [
    'r1',
  ])
})

test.run()
