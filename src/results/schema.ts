import type { DuckDBConnection } from '@duckdb/node-api'
import { UserError } from '../errors.ts'
import { VIEWS_SQL } from './views.ts'

/**
 * Bump when a table's columns change, and add the step to `MIGRATIONS`. Views are not versioned:
 * they are re-created on every write, so a new coin always writes its own definitions.
 *
 * Version 2 keeps every run: a build that produces results appends a row to `runs`, links its
 * cells to score values by the score target's key (`cells` → `score_values`), and its targets to
 * their action records by key (`run_targets` → `actions`). Rows that two runs share (the same
 * checkpoint evaluated the same way) are stored once. `scores`, `experiments`, `matrix`,
 * `metrics` and `task_drop` are views of the latest run; `run_*` views cover every run.
 */
export const SCHEMA_VERSION = 2

/**
 * Tables. Range and enum checks live here, not only in TypeScript, so no writer can store a
 * cell the metric views would silently misread. There is deliberately no primary key: the
 * duplicate check runs inside the recording transaction instead (see record.ts), which yields
 * an error that names the cell.
 */
const TABLES_SQL = `
CREATE TABLE IF NOT EXISTS meta (
  key   VARCHAR NOT NULL,
  value VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
  run_id          VARCHAR NOT NULL,
  seq             INTEGER NOT NULL,
  started_at      TIMESTAMPTZ,
  finished_at     TIMESTAMPTZ,
  git_rev         VARCHAR,
  git_dirty       BOOLEAN,
  coinfile        VARCHAR,
  coinfile_digest VARCHAR,
  params          JSON,
  overrides       VARCHAR[],
  host            VARCHAR,
  targets         VARCHAR[],
  results_target  VARCHAR,
  results_key     VARCHAR
);
CREATE TABLE IF NOT EXISTS score_values (
  key            VARCHAR NOT NULL,
  metric         VARCHAR NOT NULL,
  value          DOUBLE  NOT NULL CHECK (metric <> 'accuracy' OR value BETWEEN 0 AND 100),
  n              INTEGER CHECK (n >= 0),
  parse_failures INTEGER CHECK (parse_failures >= 0),
  checkpoint     VARCHAR
);
CREATE TABLE IF NOT EXISTS cells (
  run_id     VARCHAR NOT NULL,
  experiment VARCHAR NOT NULL,
  method     VARCHAR NOT NULL,
  order_name VARCHAR NOT NULL,
  stage      INTEGER NOT NULL CHECK (stage >= 0),
  stage_task VARCHAR NOT NULL,
  eval_task  VARCHAR NOT NULL,
  metric     VARCHAR NOT NULL,
  key        VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS run_experiments (
  run_id     VARCHAR   NOT NULL,
  experiment VARCHAR   NOT NULL,
  method     VARCHAR   NOT NULL,
  order_name VARCHAR   NOT NULL,
  tasks      VARCHAR[] NOT NULL,
  n_tasks    INTEGER   NOT NULL CHECK (n_tasks >= 1 AND n_tasks = len(tasks)),
  kind       VARCHAR   NOT NULL CHECK (kind IN ('sequential', 'multitask', 'zeroshot'))
);
CREATE TABLE IF NOT EXISTS actions (
  key         VARCHAR NOT NULL,
  target      VARCHAR NOT NULL,
  rule        VARCHAR NOT NULL,
  params      JSON,
  started_at  TIMESTAMPTZ,
  finished_at TIMESTAMPTZ,
  duration_ms DOUBLE CHECK (duration_ms >= 0),
  executor    VARCHAR,
  host        VARCHAR
);
CREATE TABLE IF NOT EXISTS run_targets (
  run_id  VARCHAR NOT NULL,
  target  VARCHAR NOT NULL,
  key     VARCHAR NOT NULL,
  outcome VARCHAR
);
CREATE TABLE IF NOT EXISTS train_log (
  key    VARCHAR NOT NULL,
  target VARCHAR,
  step   INTEGER NOT NULL CHECK (step >= 0),
  loss   DOUBLE,
  lr     DOUBLE,
  epoch  DOUBLE
);
`

/**
 * Version 1 (one results snapshot per ingesting "source", rebuilt on every build) becomes run r1:
 * its cells and experiments move over unchanged, its per-target `runs` become `actions`. Runs
 * before the schema's own TABLES_SQL, so the old tables are renamed out of the way first.
 */
const V1_TO_V2 = `
ALTER TABLE scores RENAME TO v1_scores;
ALTER TABLE experiments RENAME TO v1_experiments;
ALTER TABLE runs RENAME TO v1_runs;
${TABLES_SQL}
INSERT INTO runs (run_id, seq, results_target)
  SELECT 'r1', 1, min(source) FROM v1_scores HAVING count(*) > 0;
INSERT INTO score_values
  SELECT coalesce(key, 'v1:' || experiment || '/' || stage || '/' || eval_task || '/' || metric),
         metric, value, n, parse_failures, checkpoint
  FROM v1_scores QUALIFY row_number() OVER (PARTITION BY experiment, stage, eval_task, metric ORDER BY source) = 1;
INSERT INTO cells
  SELECT 'r1', experiment, method, order_name, stage, stage_task, eval_task, metric,
         coalesce(key, 'v1:' || experiment || '/' || stage || '/' || eval_task || '/' || metric)
  FROM v1_scores QUALIFY row_number() OVER (PARTITION BY experiment, stage, eval_task, metric ORDER BY source) = 1;
INSERT INTO run_experiments
  SELECT 'r1', experiment, method, order_name, tasks, n_tasks, kind
  FROM v1_experiments QUALIFY row_number() OVER (PARTITION BY experiment ORDER BY source) = 1;
INSERT INTO actions
  SELECT key, target, rule, params, started_at, finished_at, duration_ms, executor, host
  FROM v1_runs QUALIFY row_number() OVER (PARTITION BY key ORDER BY source) = 1;
DROP TABLE v1_scores;
DROP TABLE v1_experiments;
DROP TABLE v1_runs;
`

/** Steps from version N to N+1, keyed by N. */
const MIGRATIONS: Record<number, string> = { 1: V1_TO_V2 }

/**
 * Creates missing tables and (re)creates the views; upgrades an older schema in place.
 * Call inside the writer's transaction so a half-created schema is never visible.
 */
export async function ensureSchema(con: DuckDBConnection, dbPath: string): Promise<void> {
  const found = await readSchemaVersion(con)
  if (found !== null && found > SCHEMA_VERSION) throw newerSchemaError(dbPath, found)
  if (found !== null && found < SCHEMA_VERSION) {
    // Old views reference the tables a migration renames; they are re-created below.
    await dropViews(con)
    for (let v = found; v < SCHEMA_VERSION; v++) {
      const step = MIGRATIONS[v]
      if (step) await con.run(step)
    }
    await con.run(`UPDATE meta SET value = '${SCHEMA_VERSION}' WHERE key = 'schema_version'`)
  }
  await con.run(TABLES_SQL)
  if (found === null) await con.run(`INSERT INTO meta VALUES ('schema_version', '${SCHEMA_VERSION}')`)
  await con.run(VIEWS_SQL)
}

async function dropViews(con: DuckDBConnection): Promise<void> {
  const views = (
    await con.runAndReadAll(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_type = 'VIEW'",
    )
  ).getRowObjectsJson()
  for (const { table_name } of views) await con.run(`DROP VIEW IF EXISTS "${String(table_name)}" CASCADE`)
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
 * For readers that need coin's tables and views (reports): refuses a database coin never wrote,
 * one from a newer coin and one from an older coin that no build has upgraded yet, each with the
 * fix, instead of failing on a missing view.
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
  if (found < SCHEMA_VERSION) {
    throw new UserError({
      message: `results database has schema version ${found}; this coin reads version ${SCHEMA_VERSION}`,
      file: dbPath,
      fix: 'run `coin build results/forgetting` once: it upgrades the file in place and keeps its rows',
    })
  }
}

/** Readers refuse a database from a newer coin rather than misread it. */
export function newerSchemaError(dbPath: string, found: number): UserError {
  return new UserError({
    message: `results database has schema version ${found}, but this coin understands up to ${SCHEMA_VERSION}`,
    file: dbPath,
    fix: 'upgrade coin, or delete the file and run `coin build results/forgetting` to rebuild it from the cache',
  })
}
