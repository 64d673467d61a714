/**
 * `coin diff [A] [B]`: what changed between two runs: the params that differ and, per experiment,
 * each metric's values and delta. Default: the last two runs. A and B are run ids (`r3`, `3`) or
 * git revisions (the last run recorded at that commit); with one argument, A is compared with the
 * latest run (the workspace's last build).
 */
import { dirname, join, resolve } from 'node:path'
import type { Command } from 'commander'
import { UserError } from '../../errors.ts'
import {
  differingKeys,
  type ExperimentResult,
  findRun,
  formatFixed,
  formatParam,
  formatTextTable,
  type JsonValue,
  loadRunTable,
  type RunSummary,
} from '../../results/index.ts'
import { resolveRevision } from '../../results/provenance.ts'
import { globalOptions } from '../options.ts'

export interface DiffOptions {
  db: string
  /** Where git revisions are resolved (the project root). */
  root: string
  json?: boolean
}

export interface RunDiff {
  a: RunSummary
  b: RunSummary
  params: { param: string; a: JsonValue | null; b: JsonValue | null }[]
  metrics: { experiment: string; metric: string; a: number | null; b: number | null; delta: number | null }[]
  /** Experiments only one of the runs has. */
  only_a: string[]
  only_b: string[]
}

export async function run(
  a: string | undefined,
  b: string | undefined,
  opts: { db?: string; json?: boolean },
  cmd: Command,
) {
  const file = globalOptions(cmd).file
  const root = dirname(resolve(file))
  const db = opts.db ?? join(root, 'results', 'coin.duckdb')
  process.stdout.write(await diffCommand(a, b, { db, root, json: !!opts.json }))
  return 0
}

/** What `coin diff` prints (tests call this directly). */
export async function diffCommand(
  a: string | undefined,
  b: string | undefined,
  opts: DiffOptions,
): Promise<string> {
  const diff = await diffRuns(a, b, opts)
  if (opts.json) return `${JSON.stringify(diff)}\n`
  const out = [`a: ${describe(diff.a)}`, `b: ${describe(diff.b)}`, '']
  if (diff.params.length === 0) out.push('params: identical', '')
  else
    out.push(
      formatTextTable(
        [
          { title: 'param', align: 'left' },
          { title: diff.a.run_id, align: 'left' },
          { title: diff.b.run_id, align: 'left' },
        ],
        diff.params.map((p) => [p.param, formatParam(p.a ?? undefined), formatParam(p.b ?? undefined)]),
      ),
      '',
    )
  const changed = diff.metrics.filter((m) => m.a !== m.b)
  if (changed.length === 0) out.push('metrics: identical')
  else
    out.push(
      formatTextTable(
        [
          { title: 'experiment', align: 'left' },
          { title: 'metric', align: 'left' },
          { title: diff.a.run_id, align: 'right' },
          { title: diff.b.run_id, align: 'right' },
          { title: 'Δ', align: 'right' },
        ],
        changed.map((m) => [
          m.experiment,
          m.metric,
          formatFixed(m.a),
          formatFixed(m.b),
          m.delta === null ? '–' : `${m.delta > 0 ? '+' : ''}${formatFixed(m.delta)}`,
        ]),
      ),
    )
  if (diff.only_a.length) out.push('', `only in ${diff.a.run_id}: ${diff.only_a.join(', ')}`)
  if (diff.only_b.length) out.push('', `only in ${diff.b.run_id}: ${diff.only_b.join(', ')}`)
  return `${out.join('\n')}\n`
}

export async function diffRuns(
  a: string | undefined,
  b: string | undefined,
  opts: DiffOptions,
): Promise<RunDiff> {
  const table = await loadRunTable(opts.db)
  if (table.runs.length < (a === undefined ? 2 : 1)) {
    throw new UserError({
      message: `the results database holds ${table.runs.length} run(s); a diff needs two`,
      file: opts.db,
      fix: 'build with other params (`coin build results/forgetting --set p=v`) to record another run',
    })
  }
  const resolveRev = (rev: string) => resolveRevision(opts.root, rev)
  const latest = table.runs[table.runs.length - 1] as RunSummary
  const runA =
    a === undefined
      ? (table.runs[table.runs.length - 2] as RunSummary)
      : findRun(table.runs, a, resolveRev, opts.db)
  const runB = b === undefined ? latest : findRun(table.runs, b, resolveRev, opts.db)
  const params = differingKeys([runA.params, runB.params]).map((param) => ({
    param,
    a: runA.params[param] ?? null,
    b: runB.params[param] ?? null,
  }))
  const of = (run: RunSummary) =>
    new Map(table.rows.filter((r) => r.run === run).map((r) => [r.experiment, r]))
  const rowsA = of(runA)
  const rowsB = of(runB)
  const metrics: RunDiff['metrics'] = []
  for (const [experiment, rowA] of rowsA) {
    const rowB = rowsB.get(experiment)
    if (!rowB) continue
    for (const metric of table.metrics) {
      const x = (rowA as ExperimentResult).metrics[metric] ?? null
      const y = rowB.metrics[metric] ?? null
      if (x === null && y === null) continue
      metrics.push({ experiment, metric, a: x, b: y, delta: x === null || y === null ? null : y - x })
    }
  }
  return {
    a: runA,
    b: runB,
    params,
    metrics,
    only_a: [...rowsA.keys()].filter((e) => !rowsB.has(e)),
    only_b: [...rowsB.keys()].filter((e) => !rowsA.has(e)),
  }
}

function describe(run: RunSummary): string {
  const parts = [run.run_id]
  if (run.started_at) parts.push(run.started_at.replace('T', ' ').slice(0, 19))
  if (run.git_rev) parts.push(`git ${run.git_rev.slice(0, 10)}${run.git_dirty ? '+dirty' : ''}`)
  parts.push(run.overrides.length ? run.overrides.map((o) => `--set ${o}`).join(' ') : 'defaults')
  return parts.join('  ')
}
