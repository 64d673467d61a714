import { UserError } from '../errors.ts'
import type { OpenOptions, ResultRow } from './database.ts'
import { toJsonRows, withDatabase } from './database.ts'
import { newerSchemaError, readSchemaVersion, SCHEMA_VERSION } from './schema.ts'

export interface QueryTable {
  /** Column names in the query's order (known even when there are no rows). */
  columns: string[]
  rows: ResultRow[]
}

/** Runs `sql` against the results database and returns its rows as plain JSON objects. */
export async function queryResults(
  dbPath: string,
  sql: string,
  options: OpenOptions = { readOnly: true },
): Promise<ResultRow[]> {
  return (await queryTable(dbPath, sql, options)).rows
}

/**
 * Like `queryResults`, plus the column order. Read-only unless told otherwise: a query can look
 * at everything and change nothing. SQL errors are the user's, so they come back as UserError
 * with DuckDB's message (which points at the offending token) and a list of what can be queried.
 */
export async function queryTable(
  dbPath: string,
  sql: string,
  options: OpenOptions = { readOnly: true },
): Promise<QueryTable> {
  const readOnly = options.readOnly ?? true
  // A read-only query reads the database and nothing else: no COPY … TO, read_csv('/etc/…').
  const externalAccess = options.externalAccess ?? !readOnly
  return withDatabase(dbPath, { readOnly, externalAccess }, async (con) => {
    const version = await readSchemaVersion(con)
    if (version !== null && version > SCHEMA_VERSION) throw newerSchemaError(dbPath, version)
    let reader: Awaited<ReturnType<typeof con.runAndReadAll>>
    try {
      reader = await con.runAndReadAll(sql)
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      throw new UserError({
        message: `query failed: ${message.trim()}`,
        file: dbPath,
        key: sql,
        fix: 'latest run: scores, experiments, matrix, metrics, task_drop, timings; every run: runs, run_scores, run_metrics, run_matrix, run_timings, actions, train_log (the database is opened read-only)',
      })
    }
    return { columns: reader.columnNames(), rows: toJsonRows(reader) }
  })
}
