import type { DuckDBConnection } from '@duckdb/node-api'
import { UserError } from '../errors.ts'
import { VIEWS_SQL } from './views.ts'

/**
 * Bump when a table's columns change, and add the step to `MIGRATIONS`. Views are not versioned:
 * they are re-created on every write, so a new coin always writes its own definitions.
 */
export const SCHEMA_VERSION = 1

/**
 * Tables. Range and enum checks live here, not only in TypeScript, so no writer can store a
 * cell the metric views would silently misread. There is deliberately no primary key: the
 * duplicate check runs inside the ingest transaction instead (see ingest.ts), which yields an
 * error that names the cell.
 */
const TABLES_SQL = `
CREATE TABLE IF NOT EXISTS meta (
  key   VARCHAR NOT NULL,
  value VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS scores (
  experiment     VARCHAR NOT NULL,
  method         VARCHAR NOT NULL,
  order_name     VARCHAR NOT NULL,
  stage          INTEGER NOT NULL CHECK (stage >= 0),
  stage_task     VARCHAR NOT NULL,
  eval_task      VARCHAR NOT NULL,
  metric         VARCHAR NOT NULL,
  value          DOUBLE  NOT NULL CHECK (metric <> 'accuracy' OR value BETWEEN 0 AND 100),
  n              INTEGER CHECK (n >= 0),
  parse_failures INTEGER CHECK (parse_failures >= 0),
  key            VARCHAR,
  checkpoint     VARCHAR,
  source         VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS experiments (
  experiment VARCHAR   NOT NULL,
  method     VARCHAR   NOT NULL,
  order_name VARCHAR   NOT NULL,
  tasks      VARCHAR[] NOT NULL,
  n_tasks    INTEGER   NOT NULL CHECK (n_tasks >= 1 AND n_tasks = len(tasks)),
  kind       VARCHAR   NOT NULL CHECK (kind IN ('sequential', 'multitask', 'zeroshot')),
  source     VARCHAR   NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
  key         VARCHAR NOT NULL,
  target      VARCHAR NOT NULL,
  rule        VARCHAR NOT NULL,
  params      JSON,
  started_at  TIMESTAMPTZ,
  finished_at TIMESTAMPTZ,
  duration_ms DOUBLE CHECK (duration_ms >= 0),
  executor    VARCHAR,
  host        VARCHAR,
  source      VARCHAR NOT NULL
);
`

/** Steps from version N to N+1, keyed by N. Empty until the first schema change. */
const MIGRATIONS: Record<number, string> = {}

/**
 * Creates missing tables and (re)creates the views; upgrades an older schema in place.
 * Call inside the writer's transaction so a half-created schema is never visible.
 */
export async function ensureSchema(con: DuckDBConnection, dbPath: string): Promise<void> {
  await con.run(TABLES_SQL)
  const found = await readSchemaVersion(con)
  if (found === null) {
    await con.run(`INSERT INTO meta VALUES ('schema_version', '${SCHEMA_VERSION}')`)
  } else if (found > SCHEMA_VERSION) {
    throw newerSchemaError(dbPath, found)
  } else {
    for (let v = found; v < SCHEMA_VERSION; v++) {
      const step = MIGRATIONS[v]
      if (step) await con.run(step)
    }
    await con.run(`UPDATE meta SET value = '${SCHEMA_VERSION}' WHERE key = 'schema_version'`)
  }
  await con.run(VIEWS_SQL)
}

/** The stored schema version, or null for a database coin has never written. */
export async function readSchemaVersion(con: DuckDBConnection): Promise<number | null> {
  const hasMeta = await con.runAndReadAll(
    "SELECT count(*)::INTEGER AS n FROM information_schema.tables WHERE table_name = 'meta'",
  )
  if (hasMeta.getRowObjectsJson()[0]?.n === 0) return null
  const rows = (
    await con.runAndReadAll("SELECT value FROM meta WHERE key = 'schema_version'")
  ).getRowObjectsJson()
  const value = rows[0]?.value
  return typeof value === 'string' ? Number(value) : null
}

/**
 * For readers that need coin's tables and views (reports): refuses a database coin never wrote
 * and one from a newer coin, each with the fix, instead of failing on a missing view.
 */
export async function requireSchema(con: DuckDBConnection, dbPath: string): Promise<void> {
  const found = await readSchemaVersion(con)
  if (found === null) {
    throw new UserError({
      message: 'this is not a coin results database (it has no schema_version)',
      file: dbPath,
      fix: 'point at results/coin.duckdb, or run `coin build results/forgetting` to create it',
    })
  }
  if (found > SCHEMA_VERSION) throw newerSchemaError(dbPath, found)
}

/** Readers refuse a database from a newer coin rather than misread it. */
export function newerSchemaError(dbPath: string, found: number): UserError {
  return new UserError({
    message: `results database has schema version ${found}, but this coin understands up to ${SCHEMA_VERSION}`,
    file: dbPath,
    fix: 'upgrade coin, or delete the file and run `coin build results/forgetting` to rebuild it from the cache',
  })
}
