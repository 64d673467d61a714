import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { UserError } from '../../src/errors.ts'
import type { ActionRow, ResultsData } from '../../src/results/index.ts'
import { queryResults, recordRun, SCHEMA_VERSION, withDatabase } from '../../src/results/index.ts'
import { experiment, FULL, merge, smallResults, TASKS, tempDir } from './matrix-fixture.ts'

const ACTION: ActionRow = {
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
            (SELECT count(*) FROM runs) AS runs, (SELECT count(*) FROM actions) AS actions`,
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
  const summary = await recordRun(db, { ...smallResults(), actions: [ACTION] })
  assert.ok(existsSync(db) && statSync(db).size > 0, 'the database file exists on disk')
  assert.equal(summary, {
    run_id: 'r1',
    scores: 18,
    experiments: 3,
    new_score_values: 18,
    new_actions: 1,
    new_train_logs: 0,
  })
  assert.equal(await counts(db), { scores: 18, experiments: 3, runs: 1, actions: 1 })
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
      'actions:BASE TABLE',
      'cells:BASE TABLE',
      'experiment_info:VIEW',
      'experiments:VIEW',
      'latest_run:VIEW',
      'matrix:VIEW',
      'meta:BASE TABLE',
      'metrics:VIEW',
      'relative_gain:VIEW',
      'run_experiment_info:VIEW',
      'run_experiments:BASE TABLE',
      'run_matrix:VIEW',
      'run_metrics:VIEW',
      'run_relative_gain:VIEW',
      'run_scores:VIEW',
      'run_targets:BASE TABLE',
      'run_task_drop:VIEW',
      'run_timings:VIEW',
      'runs:BASE TABLE',
      'score_values:BASE TABLE',
      'scores:VIEW',
      'task_drop:VIEW',
      'timings:VIEW',
      'train_log:BASE TABLE',
    ],
  )
})

test('stores every column, tasks as a list and params as canonical JSON', async () => {
  const db = join(tempDir(), 'coin.duckdb')
  await recordRun(
    db,
    {
      ...experiment('lora', 'sequential', TASKS, FULL),
      actions: [ACTION],
      run_targets: [{ target: ACTION.target, key: 'k1', outcome: 'ran' }],
    },
    { overrides: ['lr=0.002'], params: { lr: 0.002, b: { a: 1 } }, git_rev: 'abc', git_dirty: true },
  )
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
  })
  assert.equal(await queryResults(db, 'SELECT tasks, n_tasks, kind FROM experiments'), [
    { tasks: TASKS, n_tasks: 3, kind: 'sequential' },
  ])
  assert.equal(
    await queryResults(db, 'SELECT run_id, seq, params, overrides, git_rev, git_dirty FROM runs'),
    [
      {
        run_id: 'r1',
        seq: 1,
        params: '{"b":{"a":1},"lr":0.002}',
        overrides: ['lr=0.002'],
        git_rev: 'abc',
        git_dirty: true,
      },
    ],
  )
  assert.equal(await queryResults(db, 'SELECT target, outcome, duration_ms, host FROM timings'), [
    { target: ACTION.target, outcome: 'ran', duration_ms: 3500, host: 'vm' },
  ])
  const [run] = await queryResults(
    db,
    "SELECT key, params, params->>'$.nested.a' AS a, epoch_ms(finished_at) - epoch_ms(started_at) AS ms, duration_ms FROM actions",
  )
  assert.equal(run, {
    key: 'k1',
    params: '{"lr":0.002,"nested":{"a":2,"b":1},"r":8}',
    a: '2',
    ms: 3500,
    duration_ms: 3500,
  })
})

test('recording again adds a run and shares the rows both runs refer to', async () => {
  const db = join(tempDir(), 'coin.duckdb')
  const data = { ...smallResults(), actions: [ACTION] }
  await recordRun(db, data)
  const second = await recordRun(db, data)
  assert.is(second.run_id, 'r2')
  assert.equal([second.new_score_values, second.new_actions], [0, 0])
  assert.equal(await counts(db), { scores: 18, experiments: 3, runs: 2, actions: 1 })
  assert.equal(await queryResults(db, 'SELECT count(*) AS n FROM score_values'), [{ n: 18 }])
  // A smaller run is the latest; the earlier runs keep their rows.
  await recordRun(db, experiment('base', 'zeroshot', TASKS, { 0: [1, 2, 3] }))
  assert.equal(await counts(db), { scores: 3, experiments: 1, runs: 3, actions: 1 })
  assert.equal(await queryResults(db, 'SELECT run_id, count(*) AS n FROM run_scores GROUP BY 1 ORDER BY 1'), [
    { run_id: 'r1', n: 18 },
    { run_id: 'r2', n: 18 },
    { run_id: 'r3', n: 3 },
  ])
})

test('a version-1 database (one snapshot per source) becomes run r1 with its rows', async () => {
  const db = join(tempDir(), 'coin.duckdb')
  await withDatabase(db, {}, async (con) => {
    await con.run(`
      CREATE TABLE meta (key VARCHAR, value VARCHAR); INSERT INTO meta VALUES ('schema_version', '1');
      CREATE TABLE scores (experiment VARCHAR, method VARCHAR, order_name VARCHAR, stage INTEGER, stage_task VARCHAR,
        eval_task VARCHAR, metric VARCHAR, value DOUBLE, n INTEGER, parse_failures INTEGER, key VARCHAR,
        checkpoint VARCHAR, source VARCHAR);
      CREATE TABLE experiments (experiment VARCHAR, method VARCHAR, order_name VARCHAR, tasks VARCHAR[],
        n_tasks INTEGER, kind VARCHAR, source VARCHAR);
      CREATE TABLE runs (key VARCHAR, target VARCHAR, rule VARCHAR, params JSON, started_at TIMESTAMPTZ,
        finished_at TIMESTAMPTZ, duration_ms DOUBLE, executor VARCHAR, host VARCHAR, source VARCHAR);
      INSERT INTO experiments VALUES ('base', 'base', 'o', ['a', 'b'], 2, 'zeroshot', 'results/forgetting');
      INSERT INTO scores VALUES ('base', 'base', 'o', 0, 'zeroshot', 'a', 'accuracy', 10, 5, 1, 'ka', 'c', 'results/forgetting'),
                                ('base', 'base', 'o', 0, 'zeroshot', 'b', 'accuracy', 30, 5, 0, NULL, 'c', 'results/forgetting');
      INSERT INTO runs VALUES ('ka', 'eval/a', 'score', '{}', NULL, NULL, 12, 'local', 'vm', 'results/forgetting');
      CREATE VIEW matrix AS SELECT * FROM scores;`)
  })
  const summary = await recordRun(db, experiment('lora', 'sequential', TASKS, FULL))
  assert.is(summary.run_id, 'r2')
  assert.equal(await queryResults(db, "SELECT value FROM meta WHERE key = 'schema_version'"), [
    { value: String(SCHEMA_VERSION) },
  ])
  assert.equal(await queryResults(db, "SELECT run_id, acc FROM run_metrics WHERE experiment = 'base'"), [
    { run_id: 'r1', acc: 20 },
  ])
  assert.equal(await queryResults(db, 'SELECT key, duration_ms FROM actions'), [
    { key: 'ka', duration_ms: 12 },
  ])
})

test('a failure inside the transaction leaves the previous contents intact', async () => {
  const db = join(tempDir(), 'coin.duckdb')
  await recordRun(db, { ...smallResults(), actions: [ACTION] })
  await recordRun(db, experiment('other', 'zeroshot', TASKS, { 0: [5, 5, 5] }))
  const before = await queryResults(db, 'SELECT * FROM scores ORDER BY ALL')
  const beforeCounts = await counts(db)

  // A duplicated cell passes the per-record checks; the database finds it after the appends,
  // inside the transaction, so a missing rollback would leave a half-recorded run.
  const bad: ResultsData = { ...smallResults(), actions: [{ ...ACTION, key: 'k2' }] }
  bad.scores.push({ ...(bad.scores[3] as (typeof bad.scores)[0]), value: 12.5, key: 'other' })
  const error = await rejects(recordRun(db, bad))
  assert.match(error.message, /appears 2 times/)
  assert.match(error.diagnostic.fix ?? '', /nothing was recorded/)

  assert.equal(await counts(db), beforeCounts)
  assert.equal(await queryResults(db, 'SELECT * FROM scores ORDER BY ALL'), before)
  assert.equal(await queryResults(db, 'SELECT count(*) AS n FROM actions'), [{ n: 1 }])
  assert.equal(await queryResults(db, 'SELECT count(*) AS n FROM score_values'), [{ n: 21 }])
})

test('a rejected first ingest leaves no half-created schema behind', async () => {
  const db = join(tempDir(), 'coin.duckdb')
  const bad = experiment('lora', 'sequential', TASKS, FULL)
  bad.scores.push({ ...(bad.scores[0] as (typeof bad.scores)[0]) })
  await rejects(recordRun(db, bad))
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
    [
      'bad timestamp',
      (d) => (d.actions = [{ ...ACTION, started_at: 'yesterday' }]),
      /actions\[0\]\.started_at/,
    ],
    [
      'non-JSON params',
      (d) => (d.actions = [{ ...ACTION, params: { lr: Number.POSITIVE_INFINITY } }]),
      /actions\[0\]\.params/,
    ],
    [
      'training step without a step number',
      (d) => (d.train_log = [{ key: 'k', target: null, step: 1.5, loss: 1, lr: null, epoch: null }]),
      /train_log\[0\]\.step/,
    ],
  ]
  for (const [name, corrupt, pattern] of cases) {
    const data = experiment('lora', 'sequential', TASKS, FULL)
    corrupt(data)
    const error = await rejects(recordRun(db, data))
    assert.match(error.message, pattern, name)
  }
  assert.not.ok(existsSync(db), 'validation fails before the database is even opened')
})

test('a multitask row must sit at stage T and a zero-shot row at stage 0', async () => {
  const db = join(tempDir(), 'coin.duckdb')
  await rejects(recordRun(db, experiment('joint', 'multitask', TASKS, { 2: [1, 2, 3] })))
  await rejects(recordRun(db, experiment('base', 'zeroshot', TASKS, { 1: [1, 2, 3] })))
  await recordRun(db, merge(experiment('joint', 'multitask', TASKS, { 3: [1, 2, 3] })))
})

test('a database written by a newer schema is refused, not misread', async () => {
  const db = join(tempDir(), 'coin.duckdb')
  await recordRun(db, smallResults())
  await withDatabase(db, {}, (con) => con.run("UPDATE meta SET value = '99' WHERE key = 'schema_version'"))
  const onIngest = await rejects(recordRun(db, smallResults()))
  assert.match(onIngest.message, /schema version 99/)
  const onQuery = await rejects(queryResults(db, 'SELECT 1'))
  assert.match(onQuery.message, /schema version 99/)
})

test.run()
