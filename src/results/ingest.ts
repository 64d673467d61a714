import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api'
import { UserError } from '../errors.ts'
import { canonicalJson } from '../hash/canonical-json.ts'
import { firstLine, readRows, withDatabase } from './database.ts'
import { ensureSchema } from './schema.ts'
import type { ExperimentRow, ResultsData, RunRow, ScoreRow } from './types.ts'
import { validateResultsData } from './validate.ts'

export interface IngestSummary {
  scores: number
  experiments: number
  runs: number
}

/**
 * Replaces everything `source` (the ingesting target's id) contributed with `data`.
 *
 * One transaction: delete the source's rows, append the new ones through the appender, check for
 * duplicated cells, commit. Rebuilding a target therefore replaces its rows instead of adding to
 * them, and any failure (a constraint, a duplicate, a crash) rolls back to the previous contents.
 * Creates the file, its folder, the tables and the views when missing.
 */
export async function ingest(dbPath: string, source: string, data: ResultsData): Promise<IngestSummary> {
  if (typeof source !== 'string' || source === '') {
    throw new UserError({
      message: 'ingest needs a non-empty source (the ingesting target id)',
      key: 'source',
    })
  }
  validateResultsData(source, data)
  if (dbPath !== ':memory:') mkdirSync(dirname(dbPath), { recursive: true })
  return withDatabase(dbPath, {}, async (con) => {
    await con.run('BEGIN TRANSACTION')
    try {
      await ensureSchema(con, dbPath)
      await replaceSourceRows(con, source, data)
      await con.run('COMMIT')
    } catch (error) {
      await con.run('ROLLBACK')
      throw ingestError(dbPath, source, error)
    }
    return { scores: data.scores.length, experiments: data.experiments.length, runs: data.runs.length }
  })
}

/**
 * The body of the transaction, shared with `metricsFromCsv`'s scratch database. Expects the
 * schema to exist and a transaction to be open (or not to matter).
 */
export async function replaceSourceRows(
  con: DuckDBConnection,
  source: string,
  data: ResultsData,
): Promise<void> {
  const quoted = sqlString(source)
  for (const table of ['scores', 'experiments', 'runs']) {
    await con.run(`DELETE FROM ${table} WHERE source = ${quoted}`)
  }
  await appendAll(con, 'scores', data.scores, (app, row) => appendScore(app, row, source))
  await appendAll(con, 'experiments', data.experiments, (app, row) => appendExperiment(app, row, source))
  await appendAll(con, 'runs', data.runs, (app, row) => appendRun(app, row, source))
  await assertNoDuplicateCells(con, source)
}

async function appendAll<T>(
  con: DuckDBConnection,
  table: string,
  rows: readonly T[],
  appendRow: (app: DuckDBAppender, row: T) => void,
): Promise<void> {
  if (rows.length === 0) return
  const app = await con.createAppender(table)
  try {
    for (const row of rows) {
      appendRow(app, row)
      app.endRow()
    }
    app.flushSync()
  } finally {
    // closeSync flushes too; after a failed flush the buffered rows are discarded with the appender.
    try {
      app.closeSync()
    } catch {}
  }
}

// Column order must match TABLES_SQL in schema.ts.
function appendScore(app: DuckDBAppender, row: ScoreRow, source: string): void {
  app.appendVarchar(row.experiment)
  app.appendVarchar(row.method)
  app.appendVarchar(row.order_name)
  app.appendInteger(row.stage)
  app.appendVarchar(row.stage_task)
  app.appendVarchar(row.eval_task)
  app.appendVarchar(row.metric)
  app.appendDouble(row.value)
  appendIntegerOrNull(app, row.n)
  appendIntegerOrNull(app, row.parse_failures)
  appendVarcharOrNull(app, row.key)
  appendVarcharOrNull(app, row.checkpoint)
  app.appendVarchar(source)
}

function appendExperiment(app: DuckDBAppender, row: ExperimentRow, source: string): void {
  app.appendVarchar(row.experiment)
  app.appendVarchar(row.method)
  app.appendVarchar(row.order_name)
  app.appendList(row.tasks)
  app.appendInteger(row.tasks.length)
  app.appendVarchar(row.kind)
  app.appendVarchar(source)
}

function appendRun(app: DuckDBAppender, row: RunRow, source: string): void {
  app.appendVarchar(row.key)
  app.appendVarchar(row.target)
  app.appendVarchar(row.rule)
  appendVarcharOrNull(app, row.params === undefined ? null : canonicalJson(row.params))
  appendVarcharOrNull(app, isoTimestamp(row.started_at))
  appendVarcharOrNull(app, isoTimestamp(row.finished_at))
  if (row.duration_ms == null) app.appendNull()
  else app.appendDouble(row.duration_ms)
  appendVarcharOrNull(app, row.executor)
  appendVarcharOrNull(app, row.host)
  app.appendVarchar(source)
}

/**
 * The appender casts VARCHAR to TIMESTAMPTZ, but DuckDB parses fewer formats than `Date.parse`
 * (which validate.ts checked), so hand it the one format both agree on.
 */
function isoTimestamp(value: string | null): string | null {
  return value == null ? null : new Date(value).toISOString()
}

function appendIntegerOrNull(app: DuckDBAppender, value: number | null | undefined): void {
  if (value == null) app.appendNull()
  else app.appendInteger(value)
}

function appendVarcharOrNull(app: DuckDBAppender, value: string | null | undefined): void {
  if (value == null) app.appendNull()
  else app.appendVarchar(value)
}

/**
 * A source may store each cell once; a second value for the same cell would make the matrix
 * ambiguous. Runs after the append so the check sees exactly what would be committed.
 */
async function assertNoDuplicateCells(con: DuckDBConnection, source: string): Promise<void> {
  const duplicates = await readRows(
    con,
    `SELECT experiment, stage, eval_task, metric, count(*) AS copies
     FROM scores WHERE source = ${sqlString(source)}
     GROUP BY ALL HAVING count(*) > 1
     ORDER BY experiment, stage, eval_task, metric LIMIT 1`,
  )
  const first = duplicates[0]
  if (first) {
    throw new UserError({
      message:
        `results from ${source}: cell (experiment '${first.experiment}', stage ${first.stage}, ` +
        `eval_task '${first.eval_task}', metric '${first.metric}') appears ${first.copies} times`,
      key: `scores:${first.experiment}/${first.stage}/${first.eval_task}`,
      fix: 'each evaluation must be ingested once per source; nothing was changed',
    })
  }
}

function ingestError(dbPath: string, source: string, error: unknown): Error {
  if (error instanceof UserError) return error
  const message = error instanceof Error ? error.message : String(error)
  if (/constraint/i.test(message)) {
    return new UserError({
      message: `results from ${source} were rejected by the database: ${firstLine(message)}`,
      file: dbPath,
      fix: 'nothing was changed; fix the records the ingesting rule writes',
    })
  }
  return error instanceof Error ? error : new Error(message)
}

/** A SQL string literal; sources are target ids, but quoting keeps any id safe. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`
}
