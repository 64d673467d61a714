import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { DuckDBConnection, DuckDBResultReader } from '@duckdb/node-api'
import { UserError } from '../errors.ts'

/** A plain JSON value: what every reader in this module hands out (no bigint, no Date). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }
export type ResultRow = Record<string, JsonValue>

export interface OpenOptions {
  /** Open with `access_mode = READ_ONLY`: statements that write fail, and other readers may share it. */
  readOnly?: boolean
  /**
   * `false` turns off DuckDB's access to anything but the database file (COPY … TO, read_csv,
   * ATTACH, extensions), locked for the connection's lifetime: for SQL typed by a user.
   */
  externalAccess?: boolean
}

/** The command that (re)creates the results database; named in every "missing database" fix. */
export const REBUILD_COMMAND = 'coin build results/forgetting'

/** Where runs accumulate and reports are rendered: `results/` next to the Coinfile. */
export function resultsDirectory(root: string): string {
  return join(root, 'results')
}

export function resultsDatabasePath(root: string): string {
  return join(resultsDirectory(root), 'coin.duckdb')
}

/**
 * Opens `dbPath` (':memory:' for a scratch database), runs `work`, and always closes, so no file
 * lock outlives the call. DuckDB is imported here, lazily, so a no-op build never loads it.
 */
export async function withDatabase<T>(
  dbPath: string,
  options: OpenOptions,
  work: (con: DuckDBConnection) => Promise<T>,
): Promise<T> {
  if (options.readOnly && dbPath !== ':memory:' && !existsSync(dbPath)) {
    throw new UserError({
      message: 'results database does not exist yet',
      file: dbPath,
      fix: `run \`${REBUILD_COMMAND}\` first (it ingests the scores and creates the database)`,
    })
  }
  const { DuckDBInstance } = await import('@duckdb/node-api')
  const config: Record<string, string> = { threads: '2' }
  if (options.readOnly) config.access_mode = 'READ_ONLY'
  if (options.externalAccess === false) {
    config.enable_external_access = 'false'
    config.lock_configuration = 'true'
  }
  let instance: Awaited<ReturnType<typeof DuckDBInstance.create>>
  try {
    instance = await DuckDBInstance.create(dbPath, config)
  } catch (error) {
    throw openError(dbPath, error)
  }
  try {
    const con = await instance.connect()
    try {
      return await work(con)
    } finally {
      con.closeSync()
    }
  } finally {
    instance.closeSync()
  }
}

/** Runs one statement and returns its rows as plain JSON objects. */
export async function readRows(con: DuckDBConnection, sql: string): Promise<ResultRow[]> {
  return toJsonRows(await con.runAndReadAll(sql))
}

/**
 * DuckDB's JSON conversion writes BIGINT, HUGEINT and DECIMAL as strings (they may not fit a
 * double). `count(*)` and the like are BIGINT, so top-level integer and decimal columns become
 * numbers when the value is exactly representable; anything larger stays a string.
 */
export function toJsonRows(reader: DuckDBResultReader): ResultRow[] {
  const names = reader.columnNames()
  const wide = new Set(
    reader
      .columnTypes()
      .map((type, index) => (WIDE_NUMERIC_TYPES.test(String(type)) ? names[index] : undefined))
      .filter((name): name is string => name !== undefined),
  )
  const rows = reader.getRowObjectsJson() as ResultRow[]
  if (wide.size === 0) return rows
  for (const row of rows) {
    for (const name of wide) {
      const value = row[name]
      if (typeof value === 'string') row[name] = narrowNumber(value)
    }
  }
  return rows
}

const WIDE_NUMERIC_TYPES = /^(U?BIGINT|U?HUGEINT|DECIMAL\(\d+,\d+\))$/

function narrowNumber(text: string): number | string {
  const value = Number(text)
  if (!Number.isFinite(value)) return text
  if (Number.isInteger(value) && !Number.isSafeInteger(value)) return text
  return value
}

/** Another process holding the write lock is a normal situation; say so instead of crashing. */
function openError(dbPath: string, error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error)
  if (/could not set lock/i.test(message)) {
    return new UserError({
      message: 'results database is in use by another process (a build ingesting results, or a query)',
      file: dbPath,
      fix: 'wait for that process to finish, then retry',
    })
  }
  if (/not a valid DuckDB database|corrupt/i.test(message)) {
    return new UserError({
      message: `results database cannot be opened: ${firstLine(message)}`,
      file: dbPath,
      fix: `delete it and run \`${REBUILD_COMMAND}\` to rebuild it from the cache`,
    })
  }
  return error instanceof Error ? error : new Error(message)
}

export function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? text
}
