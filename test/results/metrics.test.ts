import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { MetricRow, ResultsData } from '../../src/results/index.ts'
import { queryResults, recordRun } from '../../src/results/index.ts'
import type { Matrix } from './matrix-fixture.ts'
import { experiment, FULL, JOINT, merge, TASKS, tempDir } from './matrix-fixture.ts'

async function metricsOf(data: ResultsData): Promise<Record<string, MetricRow>> {
  const db = join(tempDir(), 'coin.duckdb')
  await recordRun(db, data)
  const rows = (await queryResults(db, 'SELECT * FROM metrics ORDER BY experiment')) as unknown as MetricRow[]
  return Object.fromEntries(rows.map((row) => [row.experiment, row]))
}

async function sequential(matrix: Matrix, tasks = TASKS): Promise<MetricRow> {
  const rows = await metricsOf(experiment('lora', 'sequential', tasks, matrix))
  assert.ok(rows.lora, 'the metrics view has a row for the experiment')
  return rows.lora as MetricRow
}

function close(actual: number | null, expected: number, what: string): void {
  assert.ok(actual !== null, `${what} should not be NULL`)
  assert.ok(Math.abs((actual as number) - expected) < 1e-9, `${what}: expected ${expected}, got ${actual}`)
}

/** Copy of FULL with some cells blanked out. */
function without(...cells: [number, number][]): Matrix {
  const copy: Matrix = Object.fromEntries(Object.entries(FULL).map(([i, row]) => [i, [...row]]))
  for (const [i, j] of cells) {
    const row = copy[i]
    if (row) row[j - 1] = null
  }
  return copy
}

test('full matrix: every metric, with the GEM and TRACE denominators', async () => {
  const m = await sequential(FULL)
  assert.is(m.n_tasks, 3)
  assert.is(m.kind, 'sequential')
  close(m.acc, 60, 'ACC')
  close(m.bwt, -30, 'BWT (÷ T−1)')
  close(m.bwt_trace, -20, 'BWT (÷ T)')
  close(m.fwt, 30, 'FWT')
  close(m.maa, 72.5, 'MAA')
})

test('forgetting takes the max over stages since the task was learned, not cells above the diagonal', async () => {
  // R[1][2] = 75 > R[2][2] = 70: counting it would give ((85−50)+(75−40))/2 = 35.
  close((await sequential(FULL)).forgetting, 32.5, 'forgetting')
  // The max is over l = j..T−1: R[2][1] = 85 beats R[1][1] = 80 for task 1.
  const lower: Matrix = { ...FULL, 2: [70, 70, 15] }
  close((await sequential(lower)).forgetting, (80 - 50 + (70 - 40)) / 2, 'forgetting with R[1][1] the best')
})

test('a missing interior cell makes forgetting and MAA NULL but leaves ACC, BWT, FWT', async () => {
  const m = await sequential(without([2, 1]))
  close(m.acc, 60, 'ACC')
  close(m.bwt, -30, 'BWT')
  close(m.fwt, 30, 'FWT')
  assert.is(m.forgetting, null)
  assert.is(m.maa, null)
})

test('a missing final-row cell makes ACC, BWT, forgetting and MAA NULL', async () => {
  const m = await sequential(without([3, 2]))
  assert.is(m.acc, null)
  assert.is(m.bwt, null)
  assert.is(m.bwt_trace, null)
  assert.is(m.forgetting, null)
  assert.is(m.maa, null)
  close(m.fwt, 30, 'FWT does not use the final row')
})

test('a missing diagonal cell makes BWT NULL, not a mean over the remaining tasks', async () => {
  const m = await sequential(without([2, 2]))
  assert.is(m.bwt, null)
  assert.is(m.bwt_trace, null)
  close(m.acc, 60, 'ACC')
})

test('the last task own-stage cell is the final row itself: losing only R[T][T] keeps BWT', async () => {
  // BWT sums j < T, so it needs R[3][1], R[3][2] and the diagonal up to 2, not R[3][3].
  const m = await sequential(without([3, 3]))
  close(m.bwt, -30, 'BWT')
  assert.is(m.acc, null)
})

test('FWT needs the zero-shot row', async () => {
  const noZeroShot: Matrix = { 1: FULL[1] ?? [], 2: FULL[2] ?? [], 3: FULL[3] ?? [] }
  const m = await sequential(noZeroShot)
  assert.is(m.fwt, null)
  close(m.acc, 60, 'ACC is unaffected')
})

test('FWT needs every b_j for j ≥ 2, but not b_1', async () => {
  assert.is((await sequential(without([0, 3]))).fwt, null)
  close((await sequential(without([0, 1]))).fwt, 30, 'FWT without b_1')
})

test('FWT needs the cells just above the diagonal', async () => {
  const lowerOnly = without([1, 2], [1, 3], [2, 3])
  const m = await sequential(lowerOnly)
  assert.is(m.fwt, null)
  close(m.forgetting, 32.5, 'forgetting does not need them')
  close(m.maa, 72.5, 'MAA does not need them')
})

test('T = 1: ACC and MAA are the one cell, transfer and forgetting are undefined', async () => {
  const m = await sequential({ 0: [20], 1: [77] }, ['only'])
  close(m.acc, 77, 'ACC')
  close(m.maa, 77, 'MAA')
  assert.is(m.bwt, null)
  assert.is(m.fwt, null)
  assert.is(m.forgetting, null)
})

test('multitask bound: ACC over its row at stage T, every other metric NULL', async () => {
  const rows = await metricsOf(
    merge(
      experiment('joint', 'multitask', TASKS, JOINT),
      experiment('joint-partial', 'multitask', TASKS, { 3: [52, null, 91] }),
    ),
  )
  const joint = rows.joint as MetricRow
  close(joint.acc, 191 / 3, 'ACC')
  assert.is(joint.kind, 'multitask')
  for (const key of ['bwt', 'bwt_trace', 'fwt', 'forgetting', 'maa'] as const)
    assert.is(joint[key], null, key)
  assert.is(rows['joint-partial']?.acc, null, 'a partial joint row has no ACC')
})

test('zero-shot experiment: ACC is the mean of row 0', async () => {
  const rows = await metricsOf(experiment('base', 'zeroshot', TASKS, { 0: [30, 20, 10] }))
  close(rows.base?.acc ?? null, 20, 'ACC')
  assert.is(rows.base?.bwt, null)
})

test('matrix view: one row per cell with the task position; task_drop: own, final, drop', async () => {
  const db = join(tempDir(), 'coin.duckdb')
  await recordRun(db, experiment('lora', 'sequential', TASKS, FULL))
  const cells = await queryResults(
    db,
    'SELECT stage, stage_task, eval_task, eval_index, value FROM matrix ORDER BY stage, eval_index',
  )
  assert.is(cells.length, 12)
  assert.equal(cells[0], {
    stage: 0,
    stage_task: 'zeroshot',
    eval_task: 'science_qa',
    eval_index: 1,
    value: 30,
  })
  assert.equal(cells[11], {
    stage: 3,
    stage_task: 'imagenet',
    eval_task: 'imagenet',
    eval_index: 3,
    value: 90,
  })
  const drops = await queryResults(
    db,
    'SELECT task_index, task, own_acc, final_acc, acc_drop FROM task_drop ORDER BY task_index',
  )
  assert.equal(drops, [
    { task_index: 1, task: 'science_qa', own_acc: 80, final_acc: 50, acc_drop: 30 },
    { task_index: 2, task: 'text_vqa', own_acc: 70, final_acc: 40, acc_drop: 30 },
    { task_index: 3, task: 'imagenet', own_acc: 90, final_acc: 90, acc_drop: 0 },
  ])
})

test('runs accumulate: the plain views show the latest run, run_* views every run, shared cells stored once', async () => {
  const db = join(tempDir(), 'coin.duckdb')
  const data = experiment('lora', 'sequential', TASKS, FULL)
  const first = await recordRun(db, data)
  const second = await recordRun(db, data)
  assert.is(first.run_id, 'r1')
  assert.is(second.run_id, 'r2')
  assert.is(second.new_score_values, 0, "the second run links to the first run's values")
  assert.equal(await queryResults(db, 'SELECT count(*) AS n FROM score_values'), [{ n: 12 }])
  assert.equal(await queryResults(db, 'SELECT count(*) AS n FROM cells'), [{ n: 24 }])
  assert.is((await queryResults(db, 'SELECT count(*) AS n FROM matrix'))[0]?.n, 12)

  const changed = experiment('lora', 'sequential', TASKS, { ...FULL, 3: [50, 41, 90] })
  for (const score of changed.scores) if (score.stage === 3) score.key = `${score.key}-v2`
  await recordRun(db, changed)
  assert.equal(
    await queryResults(db, "SELECT value FROM matrix WHERE stage = 3 AND eval_task = 'text_vqa'"),
    [{ value: 41 }],
  )
  const perRun = await queryResults(db, 'SELECT run_id, acc FROM run_metrics ORDER BY run_id')
  assert.equal(
    perRun.map((row) => [row.run_id, Math.round(Number(row.acc) * 1000) / 1000]),
    [
      ['r1', 60],
      ['r2', 60],
      ['r3', 60.333],
    ],
  )
  assert.equal(await queryResults(db, 'SELECT count(*) AS n FROM score_values'), [{ n: 15 }])
})

test('non-accuracy metrics are stored but do not enter the matrix', async () => {
  const data = experiment('lora', 'sequential', TASKS, FULL)
  data.scores.push({ ...(data.scores[0] as (typeof data.scores)[0]), metric: 'gk_score', value: 1000 })
  const db = join(tempDir(), 'coin.duckdb')
  await recordRun(db, data)
  assert.equal(await queryResults(db, "SELECT count(*) AS n FROM scores WHERE metric = 'gk_score'"), [
    { n: 1 },
  ])
  assert.equal(await queryResults(db, 'SELECT count(*) AS n FROM matrix'), [{ n: 12 }])
})

test.run()
