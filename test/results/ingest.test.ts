import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { UserError } from '../../src/errors.ts'
import type { ResultsData, RunRow } from '../../src/results/index.ts'
import { ingest, queryResults, SCHEMA_VERSION, withDatabase } from '../../src/results/index.ts'
import { experiment, FULL, merge, smallResults, TASKS, tempDir } from './matrix-fixture.ts'

const RUN: RunRow = {
  key: 'k1',
  target: 'train/lora/1-science_qa',
  rule: 'train@1',
  params: { r: 8, lr: 0.002, nested: { b: 1, a: 2 } },
  started_at: '2024-05-01T10:00:00.000Z',
  finished_at: '2024-05-01T10:00:03.500Z',
  duration_ms: 3500,
  executor: 'local',
  host: 'vm',
}

async function counts(db: string): Promise<Record<string, unknown>> {
  const [row] = await queryResults(
    db,
    `SELECT (SELECT count(*) FROM scores) AS scores, (SELECT count(*) FROM experiments) AS experiments,
            (SELECT count(*) FROM runs) AS runs`,
  )
  return row ?? {}
}

async function rejects(work: Promise<unknown>): Promise<UserError> {
  try {
    await work
  } catch (error) {
    assert.instance(error, UserError)
    return error as UserError
  }
  assert.unreachable('expected a UserError')
  throw new Error('unreachable')
}

test('creates a real DuckDB file, its folder, the tables, the views and the schema version', async () => {
  const db = join(tempDir(), 'results', 'nested', 'coin.duckdb')
  const summary = await ingest(db, 'results/forgetting', { ...smallResults(), runs: [RUN] })
  assert.ok(existsSync(db) && statSync(db).size > 0, 'the database file exists on disk')
  assert.equal(summary, { scores: 18, experiments: 3, runs: 1 })
  assert.equal(await counts(db), { scores: 18, experiments: 3, runs: 1 })
  assert.equal(await queryResults(db, "SELECT value FROM meta WHERE key = 'schema_version'"), [
    { value: String(SCHEMA_VERSION) },
  ])
  const objects = await queryResults(
    db,
    "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'main' ORDER BY table_name",
  )
  assert.equal(
    objects.map((o) => `${o.table_name}:${o.table_type}`),
    [
      'experiment_info:VIEW',
      'experiments:BASE TABLE',
      'matrix:VIEW',
      'meta:BASE TABLE',
      'metrics:VIEW',
      'relative_gain:VIEW',
      'runs:BASE TABLE',
      'scores:BASE TABLE',
      'task_drop:VIEW',
    ],
  )
})

test('stores every column, with the source, tasks as a list and params as canonical JSON', async () => {
  const db = join(tempDir(), 'coin.duckdb')
  await ingest(db, 'results/forgetting', { ...experiment('lora', 'sequential', TASKS, FULL), runs: [RUN] })
  const [score] = await queryResults(db, "SELECT * FROM scores WHERE stage = 2 AND eval_task = 'science_qa'")
  assert.equal(score, {
    experiment: 'lora',
    method: 'lora',
    order_name: 'original',
    stage: 2,
    stage_task: 'text_vqa',
    eval_task: 'science_qa',
    metric: 'accuracy',
    value: 85,
    n: 100,
    parse_failures: 0,
    key: 'key-lora-2-0',
    checkpoint: 'ckpt-lora-2',
    source: 'results/forgetting',
  })
  assert.equal(await queryResults(db, 'SELECT tasks, n_tasks, kind, source FROM experiments'), [
    { tasks: TASKS, n_tasks: 3, kind: 'sequential', source: 'results/forgetting' },
  ])
  const [run] = await queryResults(
    db,
    "SELECT key, params, params->>'$.nested.a' AS a, epoch_ms(finished_at) - epoch_ms(started_at) AS ms, duration_ms FROM runs",
  )
  assert.equal(run, {
    key: 'k1',
    params: '{"lr":0.002,"nested":{"a":2,"b":1},"r":8}',
    a: '2',
    ms: 3500,
    duration_ms: 3500,
  })
})

test('re-ingesting the same source replaces its rows instead of duplicating them', async () => {
  const db = join(tempDir(), 'coin.duckdb')
  const data = { ...smallResults(), runs: [RUN] }
  await ingest(db, 'results/forgetting', data)
  const first = await counts(db)
  await ingest(db, 'results/forgetting', data)
  assert.equal(await counts(db), first)
  // A smaller rebuild shrinks the source's rows to exactly the new set.
  await ingest(db, 'results/forgetting', experiment('base', 'zeroshot', TASKS, { 0: [1, 2, 3] }))
  assert.equal(await counts(db), { scores: 3, experiments: 1, runs: 0 })
})

test('sources are independent: re-ingesting one leaves the others alone', async () => {
  const db = join(tempDir(), 'coin.duckdb')
  await ingest(db, 'results/a', experiment('lora', 'sequential', TASKS, FULL))
  await ingest(db, 'results/b', experiment('base', 'zeroshot', TASKS, { 0: [30, 20, 10] }))
  await ingest(db, 'results/a', { scores: [], experiments: [], runs: [] })
  assert.equal(await queryResults(db, 'SELECT DISTINCT source FROM scores'), [{ source: 'results/b' }])
  assert.equal(await queryResults(db, 'SELECT experiment FROM metrics'), [{ experiment: 'base' }])
})

test('a failure inside the transaction leaves the previous contents intact', async () => {
  const db = join(tempDir(), 'coin.duckdb')
  await ingest(db, 'results/forgetting', { ...smallResults(), runs: [RUN] })
  await ingest(db, 'results/other', experiment('other', 'zeroshot', TASKS, { 0: [5, 5, 5] }))
  const before = await queryResults(db, 'SELECT * FROM scores ORDER BY ALL')
  const beforeCounts = await counts(db)

  // A duplicated cell passes the per-record checks; the database finds it after the delete and
  // the append, inside the transaction, so a missing rollback would leave a half-replaced source.
  const bad: ResultsData = { ...smallResults(), runs: [] }
  bad.scores.push({ ...(bad.scores[3] as (typeof bad.scores)[0]), value: 12.5 })
  const error = await rejects(ingest(db, 'results/forgetting', bad))
  assert.match(error.message, /appears 2 times/)
  assert.match(error.diagnostic.fix ?? '', /nothing was changed/)

  assert.equal(await counts(db), beforeCounts)
  assert.equal(await queryResults(db, 'SELECT * FROM scores ORDER BY ALL'), before)
  assert.equal(await queryResults(db, 'SELECT count(*) AS n FROM runs'), [{ n: 1 }])
})

test('a rejected first ingest leaves no half-created schema behind', async () => {
  const db = join(tempDir(), 'coin.duckdb')
  const bad = experiment('lora', 'sequential', TASKS, FULL)
  bad.scores.push({ ...(bad.scores[0] as (typeof bad.scores)[0]) })
  await rejects(ingest(db, 'results/forgetting', bad))
  const tables = await withDatabase(db, { readOnly: true }, async (con) =>
    (
      await con.runAndReadAll('SELECT count(*)::INTEGER AS n FROM information_schema.tables')
    ).getRowObjectsJson(),
  )
  assert.equal(tables, [{ n: 0 }])
})

test('records that do not fit their experiment are refused with the record path', async () => {
  const db = join(tempDir(), 'coin.duckdb')
  const cases: [string, (data: ResultsData) => void, RegExp][] = [
    [
      'value out of range',
      (d) => Object.assign(d.scores[0] as object, { value: 100.5 }),
      /scores\[0\]\.value/,
    ],
    ['NaN value', (d) => Object.assign(d.scores[0] as object, { value: Number.NaN }), /scores\[0\]\.value/],
    ['negative stage', (d) => Object.assign(d.scores[1] as object, { stage: -1 }), /scores\[1\]\.stage/],
    [
      'stage past T',
      (d) => Object.assign(d.scores[1] as object, { stage: 4 }),
      /scores\[1\]\.stage .*impossible/,
    ],
    [
      'wrong stage task',
      (d) => Object.assign(d.scores[4] as object, { stage_task: 'imagenet' }),
      /trains 'science_qa'/,
    ],
    [
      'unknown eval task',
      (d) => Object.assign(d.scores[2] as object, { eval_task: 'vqav2' }),
      /scores\[2\]\.eval_task/,
    ],
    [
      'undeclared experiment',
      (d) => Object.assign(d.scores[2] as object, { experiment: 'x' }),
      /not among this source's experiments/,
    ],
    [
      'bad kind',
      (d) => Object.assign(d.experiments[0] as object, { kind: 'replay' }),
      /experiments\[0\]\.kind/,
    ],
    [
      'repeated task',
      (d) => Object.assign(d.experiments[0] as object, { tasks: ['a', 'a', 'b'] }),
      /lists a task twice/,
    ],
    ['bad timestamp', (d) => d.runs.push({ ...RUN, started_at: 'yesterday' }), /runs\[0\]\.started_at/],
    [
      'non-JSON params',
      (d) => d.runs.push({ ...RUN, params: { lr: Number.POSITIVE_INFINITY } }),
      /runs\[0\]\.params/,
    ],
  ]
  for (const [name, corrupt, pattern] of cases) {
    const data = experiment('lora', 'sequential', TASKS, FULL)
    corrupt(data)
    const error = await rejects(ingest(db, 'results/forgetting', data))
    assert.match(error.message, pattern, name)
  }
  assert.not.ok(existsSync(db), 'validation fails before the database is even opened')
})

test('a multitask row must sit at stage T and a zero-shot row at stage 0', async () => {
  const db = join(tempDir(), 'coin.duckdb')
  await rejects(ingest(db, 'r', experiment('joint', 'multitask', TASKS, { 2: [1, 2, 3] })))
  await rejects(ingest(db, 'r', experiment('base', 'zeroshot', TASKS, { 1: [1, 2, 3] })))
  await ingest(db, 'r', merge(experiment('joint', 'multitask', TASKS, { 3: [1, 2, 3] })))
})

test('a database written by a newer schema is refused, not misread', async () => {
  const db = join(tempDir(), 'coin.duckdb')
  await ingest(db, 'results/forgetting', smallResults())
  await withDatabase(db, {}, (con) => con.run("UPDATE meta SET value = '99' WHERE key = 'schema_version'"))
  const onIngest = await rejects(ingest(db, 'results/forgetting', smallResults()))
  assert.match(onIngest.message, /schema version 99/)
  const onQuery = await rejects(queryResults(db, 'SELECT 1'))
  assert.match(onQuery.message, /schema version 99/)
})

test('an empty source id is refused', async () => {
  await rejects(ingest(join(tempDir(), 'coin.duckdb'), '', smallResults()))
})

test.run()
