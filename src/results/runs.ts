/**
 * Reading runs back for `coin show` and `coin diff`: every (run, experiment) with the run's
 * provenance, its flattened params and the experiment's metrics.
 */
import { UserError } from '../errors.ts'
import type { JsonValue, ResultRow } from './database.ts'
import { readRows, withDatabase } from './database.ts'
import { flattenParams } from './params.ts'
import { requireSchema } from './schema.ts'

export interface RunSummary {
  run_id: string
  seq: number
  started_at: string | null
  git_rev: string | null
  git_dirty: boolean | null
  coinfile: string | null
  coinfile_digest: string | null
  host: string | null
  overrides: string[]
  params: Record<string, JsonValue>
}

/** One row of `coin show`: a run's experiment with its metrics (null where undefined). */
export interface ExperimentResult {
  run: RunSummary
  experiment: string
  method: string
  order_name: string
  kind: string
  metrics: Record<string, number | null>
}

/** The metric columns shown, in order; any other numeric column of `run_metrics` (e.g. a relative gain) follows them. */
export const SHOWN_METRICS = ['acc', 'bwt', 'forgetting', 'fwt', 'maa'] as const
const NOT_METRICS = new Set(['run_id', 'experiment', 'method', 'order_name', 'kind', 'n_tasks'])

export interface RunTable {
  runs: RunSummary[]
  rows: ExperimentResult[]
  /** Metric names in display order. */
  metrics: string[]
}

export async function loadRunTable(dbPath: string): Promise<RunTable> {
  return withDatabase(dbPath, { readOnly: true }, async (con) => {
    await requireSchema(con, dbPath)
    const runRows = await readRows(con, 'SELECT * FROM runs ORDER BY seq')
    const metricRows = await readRows(
      con,
      `SELECT m.*, g.relative_gain FROM run_metrics AS m JOIN runs USING (run_id)
       LEFT JOIN run_relative_gain AS g USING (run_id, experiment)
       ORDER BY runs.seq, CASE m.kind WHEN 'sequential' THEN 0 WHEN 'multitask' THEN 1 ELSE 2 END, m.experiment`,
    )
    const runs = runRows.map(toRunSummary)
    const byId = new Map(runs.map((run) => [run.run_id, run]))
    const extra = Object.keys(metricRows[0] ?? {}).filter(
      (c) => !NOT_METRICS.has(c) && !(SHOWN_METRICS as readonly string[]).includes(c) && c !== 'bwt_trace',
    )
    // Other metrics (a relative gain) appear when some experiment has them.
    const metrics = [
      ...SHOWN_METRICS,
      ...extra.filter((c) => metricRows.some((row) => typeof row[c] === 'number')),
    ]
    const rows = metricRows.map((row) => ({
      run: byId.get(String(row.run_id)) as RunSummary,
      experiment: String(row.experiment),
      method: String(row.method),
      order_name: String(row.order_name),
      kind: String(row.kind),
      metrics: Object.fromEntries(
        metrics.map((m) => [m, typeof row[m] === 'number' ? (row[m] as number) : null]),
      ),
    }))
    return { runs, rows, metrics }
  })
}

/** A `runs` row as the summary `coin show`, `coin diff` and the reports name a run by. */
export function toRunSummary(row: ResultRow): RunSummary {
  const text = (value: JsonValue | undefined) => (typeof value === 'string' ? value : null)
  let params: unknown = row.params
  if (typeof params === 'string') params = JSON.parse(params)
  return {
    run_id: String(row.run_id),
    seq: Number(row.seq),
    started_at: text(row.started_at),
    git_rev: text(row.git_rev),
    git_dirty: typeof row.git_dirty === 'boolean' ? row.git_dirty : null,
    coinfile: text(row.coinfile),
    coinfile_digest: text(row.coinfile_digest),
    host: text(row.host),
    overrides: Array.isArray(row.overrides) ? row.overrides.map(String) : [],
    params: flattenParams(params ?? {}),
  }
}

/**
 * Finds a run by what a user types: `r3` or `3` (a run id), or a git revision (`HEAD~1`, a branch,
 * a hash prefix) whose last recorded run without uncommitted changes is meant. `resolveRev` turns a revision into a commit.
 */
export function findRun(
  runs: readonly RunSummary[],
  ref: string,
  resolveRev: (rev: string) => string | null,
  dbPath: string,
): RunSummary {
  const id = /^\d+$/.test(ref) ? `r${ref}` : ref
  const direct = runs.find((run) => run.run_id === id)
  if (direct) return direct
  const commit = resolveRev(ref)
  if (commit) {
    // A run with uncommitted changes is the workspace's, not the revision's: prefer clean ones.
    const atCommit = runs.filter((run) => run.git_rev === commit)
    const clean = atCommit.filter((run) => run.git_dirty !== true)
    const last = clean[clean.length - 1] ?? atCommit[atCommit.length - 1]
    if (last) return last
    throw new UserError({
      message: `no run was recorded at ${ref} (${commit.slice(0, 10)})`,
      file: dbPath,
      key: ref,
      fix: `check out ${ref} and run \`coin build results/forgetting\` there, or pick a run from \`coin show\``,
    })
  }
  throw new UserError({
    message: `'${ref}' is neither a run id nor a git revision`,
    file: dbPath,
    key: ref,
    fix: `use a run id (${runs
      .slice(-3)
      .map((r) => r.run_id)
      .join(', ')}${runs.length ? ', ...' : 'none yet'}) from \`coin show\`, or a git revision`,
  })
}
