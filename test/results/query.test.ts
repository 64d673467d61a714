import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { queryCommand } from '../../src/cli/commands/query.ts'
import { formatDiagnostic, UserError } from '../../src/errors.ts'
import { parseCsv, queryResults, queryTable, recordRun } from '../../src/results/index.ts'
import { smallResults, tempDir } from './matrix-fixture.ts'

async function fixtureDb(): Promise<string> {
  const db = join(tempDir(), 'coin.duckdb')
  await recordRun(db, smallResults())
  return db
}

async function userError(work: () => Promise<unknown>): Promise<UserError> {
  try {
    await work()
  } catch (error) {
    assert.instance(error, UserError)
    return error as UserError
  }
  assert.unreachable('expected a UserError')
  throw new Error('unreachable')
}

test('a missing database is a UserError that says how to create it', async () => {
  const error = await userError(() => queryResults(join(tempDir(), 'coin.duckdb'), 'SELECT 1'))
  assert.match(error.diagnostic.fix ?? '', /coin build results\/forgetting/)
  assert.match(formatDiagnostic(error.diagnostic), /coin\.duckdb: results database does not exist yet/)
})

test('queries are read-only: a write fails and changes nothing', async () => {
  const db = await fixtureDb()
  const error = await userError(() => queryResults(db, 'DELETE FROM score_values'))
  assert.match(error.message, /read-only/)
  assert.equal(await queryResults(db, 'SELECT count(*) AS n FROM scores'), [{ n: 18 }])
})

test('counts come back as numbers, lists as arrays, and columns keep their order', async () => {
  const db = await fixtureDb()
  const result = await queryTable(
    db,
    'SELECT kind, count(*) AS n, 1.25 AS d, any_value(tasks) AS tasks FROM experiments GROUP BY kind ORDER BY kind',
  )
  assert.equal(result.columns, ['kind', 'n', 'd', 'tasks'])
  assert.equal(result.rows[0], {
    kind: 'multitask',
    n: 1,
    d: 1.25,
    tasks: ['science_qa', 'text_vqa', 'imagenet'],
  })
  const empty = await queryTable(db, "SELECT experiment FROM metrics WHERE experiment = 'none'")
  assert.equal(empty, { columns: ['experiment'], rows: [] })
})

test('a SQL error is a UserError that keeps DuckDB’s pointer to the problem', async () => {
  const db = await fixtureDb()
  const error = await userError(() => queryResults(db, 'SELECT nope FROM metrics'))
  assert.match(error.message, /query failed: .*nope/s)
  assert.match(error.diagnostic.fix ?? '', /latest run: scores, experiments, matrix, metrics, task_drop/)
})

test('`coin query`: aligned table by default, JSON lines with --json, CSV with --csv', async () => {
  const db = await fixtureDb()
  const sql = 'SELECT experiment, kind, round(acc, 2) AS acc, bwt FROM metrics ORDER BY experiment'
  const table = await queryCommand(sql, { db })
  assert.equal(table.split('\n'), [
    'experiment  kind          acc   bwt',
    '----------  ----------  -----  ----',
    'base        zeroshot       20  NULL',
    'joint       multitask   63.67  NULL',
    'lora        sequential     60   -30',
    '(3 rows)',
    '',
  ])
  const json = (await queryCommand(sql, { db, json: true }))
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l))
  assert.equal(json[2], { experiment: 'lora', kind: 'sequential', acc: 60, bwt: -30 })
  const csv = parseCsv(await queryCommand(sql, { db, csv: true }))
  assert.equal(csv.header, ['experiment', 'kind', 'acc', 'bwt'])
  assert.equal(
    csv.records.map((r) => r.fields),
    [
      ['base', 'zeroshot', '20', ''],
      ['joint', 'multitask', '63.67', ''],
      ['lora', 'sequential', '60', '-30'],
    ],
  )
  await userError(() => queryCommand(sql, { db, json: true, csv: true }))
})

test.run()
