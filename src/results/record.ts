import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api'
import { UserError } from '../errors.ts'
import { canonicalJson } from '../hash/canonical-json.ts'
import { firstLine, readRows, withDatabase } from './database.ts'
import { ensureSchema } from './schema.ts'
import type { ActionRow, ExperimentRow, ResultsData, RunInfo, ScoreRow, TrainLogRow } from './types.ts'
import { validateResultsData } from './validate.ts'

export interface RecordSummary {
  /** The new run's id, `r<seq>`. */
  run_id: string
  scores: number
  experiments: number
  /** Score values, action records and training logs that were new to the database (the rest were shared). */
  new_score_values: number
  new_actions: number
  new_train_logs: number
}

/** A run with nothing known about it: what tests and `coin metrics --from` record. */
export const ANONYMOUS_RUN: RunInfo = {
  started_at: null,
  finished_at: null,
  git_rev: null,
  git_dirty: null,
  coinfile: null,
  coinfile_digest: null,
  params: null,
  overrides: [],
  host: null,
  targets: [],
  results_target: null,
  results_key: null,
}

/**
 * Appends one run to the results database: a `runs` row, its experiments, its cells, and the
 * score values, action records and training logs it refers to. Values are keyed by the target
 * key that produced them and stored once: a second run that shares checkpoints links to the same
 * rows. One transaction; any failure (a constraint, a duplicated cell, a crash) rolls back and
 * leaves every earlier run as it was. Creates the file, its folder, the tables and the views when
 * missing, and upgrades an older schema in place.
 */
export async function recordRun(
  dbPath: string,
  data: ResultsData,
  run: Partial<RunInfo> = {},
): Promise<RecordSummary> {
  const source = run.results_target ?? 'results'
  validateResultsData(source, data)
  if (dbPath !== ':memory:') mkdirSync(dirname(dbPath), { recursive: true })
  return withDatabase(dbPath, {}, async (con) => {
    await con.run('BEGIN TRANSACTION')
    try {
      await ensureSchema(con, dbPath)
      const summary = await insertRun(con, { ...ANONYMOUS_RUN, ...run }, data)
      await con.run('COMMIT')
      return summary
    } catch (error) {
      await con.run('ROLLBACK')
      throw recordError(dbPath, source, error)
    }
  })
}

/**
 * The body of the transaction, shared with `metricsFromCsv`'s scratch database. Expects the
 * schema to exist and a transaction to be open (or not to matter).
 */
export async function insertRun(
  con: DuckDBConnection,
  run: RunInfo,
  data: ResultsData,
): Promise<RecordSummary> {
  const [last] = await readRows(con, 'SELECT coalesce(max(seq), 0) AS seq FROM runs')
  const seq = Number(last?.seq ?? 0) + 1
  const runId = `r${seq}`
  await con.run(
    `INSERT INTO runs VALUES (${[
      sqlString(runId),
      seq,
      sqlOrNull(isoTimestamp(run.started_at)),
      sqlOrNull(isoTimestamp(run.finished_at)),
      sqlOrNull(run.git_rev),
      run.git_dirty == null ? 'NULL' : String(run.git_dirty),
      sqlOrNull(run.coinfile),
      sqlOrNull(run.coinfile_digest),
      run.params == null ? 'NULL' : sqlString(canonicalJson(run.params)),
      sqlList(run.overrides),
      sqlOrNull(run.host),
      sqlList(run.targets),
      sqlOrNull(run.results_target),
      sqlOrNull(run.results_key),
    ].join(', ')})`,
  )
  const scores = data.scores.map((row, index) => ({ ...row, key: row.key ?? `${runId}:score:${index}` }))
  const knownValues = await existingKeys(con, 'score_values', 'key', 'metric')
  const newValues = uniqueBy(
    scores.filter((row) => !knownValues.has(`${row.key}\u0000${row.metric}`)),
    (row) => `${row.key}\u0000${row.metric}`,
  )
  await appendAll(con, 'score_values', newValues, appendScoreValue)
  await appendAll(con, 'cells', scores, (app, row) => appendCell(app, row, runId))
  await appendAll(con, 'run_experiments', data.experiments, (app, row) => appendExperiment(app, row, runId))
  const knownActions = await existingKeys(con, 'actions', 'key')
  const newActions = uniqueBy(
    (data.actions ?? []).filter((row) => !knownActions.has(row.key)),
    (row) => row.key,
  )
  await appendAll(con, 'actions', newActions, appendAction)
  await appendAll(con, 'run_targets', data.run_targets ?? [], (app, row) => {
    app.appendVarchar(runId)
    app.appendVarchar(row.target)
    app.appendVarchar(row.key)
    appendVarcharOrNull(app, row.outcome)
  })
  const knownLogs = await existingKeys(con, 'train_log', 'key')
  const newLogs = (data.train_log ?? []).filter((row) => !knownLogs.has(row.key))
  await appendAll(con, 'train_log', newLogs, appendTrainStep)
  await assertNoDuplicateCells(con, runId, run.results_target ?? 'results')
  return {
    run_id: runId,
    scores: scores.length,
    experiments: data.experiments.length,
    new_score_values: newValues.length,
    new_actions: newActions.length,
    new_train_logs: new Set(newLogs.map((row) => row.key)).size,
  }
}

/** The distinct values of `columns` already in `table`, each joined by NUL (the separator used above). */
async function existingKeys(
  con: DuckDBConnection,
  table: string,
  ...columns: string[]
): Promise<Set<string>> {
  const rows = await readRows(con, `SELECT DISTINCT ${columns.join(', ')} FROM ${table}`)
  return new Set(rows.map((row) => columns.map((c) => String(row[c])).join('\u0000')))
}

function uniqueBy<T>(rows: T[], id: (row: T) => string): T[] {
  const seen = new Set<string>()
  return rows.filter((row) => {
    const k = id(row)
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
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

// Column orders must match TABLES_SQL in schema.ts.
function appendScoreValue(app: DuckDBAppender, row: ScoreRow & { key: string }): void {
  app.appendVarchar(row.key)
  app.appendVarchar(row.metric)
  app.appendDouble(row.value)
  appendIntegerOrNull(app, row.n)
  appendIntegerOrNull(app, row.parse_failures)
  appendVarcharOrNull(app, row.checkpoint)
}

function appendCell(app: DuckDBAppender, row: ScoreRow & { key: string }, runId: string): void {
  app.appendVarchar(runId)
  app.appendVarchar(row.experiment)
  app.appendVarchar(row.method)
  app.appendVarchar(row.order_name)
  app.appendInteger(row.stage)
  app.appendVarchar(row.stage_task)
  app.appendVarchar(row.eval_task)
  app.appendVarchar(row.metric)
  app.appendVarchar(row.key)
}

function appendExperiment(app: DuckDBAppender, row: ExperimentRow, runId: string): void {
  app.appendVarchar(runId)
  app.appendVarchar(row.experiment)
  app.appendVarchar(row.method)
  app.appendVarchar(row.order_name)
  app.appendList(row.tasks)
  app.appendInteger(row.tasks.length)
  app.appendVarchar(row.kind)
}

function appendAction(app: DuckDBAppender, row: ActionRow): void {
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
}

function appendTrainStep(app: DuckDBAppender, row: TrainLogRow): void {
  app.appendVarchar(row.key)
  appendVarcharOrNull(app, row.target)
  app.appendInteger(row.step)
  appendDoubleOrNull(app, row.loss)
  appendDoubleOrNull(app, row.lr)
  appendDoubleOrNull(app, row.epoch)
}

/**
 * The appender casts VARCHAR to TIMESTAMPTZ, but DuckDB parses fewer formats than `Date.parse`
 * (which validate.ts checked), so hand it the one format both agree on.
 */
function isoTimestamp(value: string | null | undefined): string | null {
  return value == null ? null : new Date(value).toISOString()
}

function appendIntegerOrNull(app: DuckDBAppender, value: number | null | undefined): void {
  if (value == null) app.appendNull()
  else app.appendInteger(value)
}

function appendDoubleOrNull(app: DuckDBAppender, value: number | null | undefined): void {
  if (value == null) app.appendNull()
  else app.appendDouble(value)
}

function appendVarcharOrNull(app: DuckDBAppender, value: string | null | undefined): void {
  if (value == null) app.appendNull()
  else app.appendVarchar(value)
}

/**
 * A run may store each cell once; a second value for the same cell would make the matrix
 * ambiguous. Runs after the append so the check sees exactly what would be committed.
 */
async function assertNoDuplicateCells(con: DuckDBConnection, runId: string, source: string): Promise<void> {
  const duplicates = await readRows(
    con,
    `SELECT experiment, stage, eval_task, metric, count(*) AS copies
     FROM cells WHERE run_id = ${sqlString(runId)}
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
      fix: 'each evaluation must be listed once per run; nothing was recorded',
    })
  }
}

function recordError(dbPath: string, source: string, error: unknown): Error {
  if (error instanceof UserError) return error
  const message = error instanceof Error ? error.message : String(error)
  if (/constraint/i.test(message)) {
    return new UserError({
      message: `results from ${source} were rejected by the database: ${firstLine(message)}`,
      file: dbPath,
      fix: 'nothing was recorded; fix the records the results rule writes',
    })
  }
  return error instanceof Error ? error : new Error(message)
}

/** A SQL string literal; every value is quoted this way, so any text is safe. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`
}

function sqlOrNull(text: string | null | undefined): string {
  return text == null ? 'NULL' : sqlString(text)
}

function sqlList(items: readonly string[] | null | undefined): string {
  return `[${(items ?? []).map(sqlString).join(', ')}]::VARCHAR[]`
}
