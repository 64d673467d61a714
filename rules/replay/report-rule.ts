/**
 * `results/replay`: the replay methods compared over several seeds. Every run's scores go into
 * `replay.duckdb` (same tables and views as results/coin.duckdb); the report is one query over the
 * `metrics` and `relative_gain` views, grouped by replay method: mean ± sample sd over seeds, and
 * the per-seed values under it.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { rule } from '../../src/config/define.ts'
import { type ExperimentRow, queryResults, recordRun } from '../../src/results/index.ts'
import { type Cell, readCells } from '../coin/report-rule.ts'

export interface ReplayRun {
  experiment: string
  /** none | random | inscl | tg-sft (or any label). */
  replay: string
  seed: number
}

export interface ReplayReportParams {
  experiments: ExperimentRow[]
  cells: Cell[]
  runs: ReplayRun[]
  /** Records per earlier task (shown in the heading). */
  perTask: number
}

export const REPLAY_DATABASE = 'replay.duckdb'
const METRICS = ['acc', 'bwt', 'forgetting', 'relative_gain'] as const
type Metric = (typeof METRICS)[number]

export interface Summary {
  replay: string
  seeds: number[]
  mean: Record<Metric, number | null>
  sd: Record<Metric, number | null>
  perSeed: Record<Metric, number | null>[]
}

/** Mean and sample standard deviation (n − 1); null if any value is null, sd null for n < 2. */
function meanSd(xs: (number | null)[]): { mean: number | null; sd: number | null } {
  if (xs.length === 0 || xs.some((x) => x === null)) return { mean: null, sd: null }
  const v = xs as number[]
  const mean = v.reduce((s, x) => s + x, 0) / v.length
  if (v.length < 2) return { mean, sd: null }
  return { mean, sd: Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / (v.length - 1)) }
}

export async function summarise(db: string, runs: readonly ReplayRun[]): Promise<Summary[]> {
  const rows = await queryResults(
    db,
    'SELECT m.experiment, m.acc, m.bwt, m.forgetting, g.relative_gain FROM metrics AS m LEFT JOIN relative_gain AS g USING (experiment)',
  )
  const byExperiment = new Map(rows.map((r) => [r.experiment as string, r]))
  const order = [...new Set(runs.map((r) => r.replay))]
  return order.map((replay) => {
    const mine = runs.filter((r) => r.replay === replay).sort((a, b) => a.seed - b.seed)
    const perSeed = mine.map((r) => {
      const row = byExperiment.get(r.experiment)
      return Object.fromEntries(
        METRICS.map((k) => [k, (row?.[k] as number | null | undefined) ?? null]),
      ) as Record<Metric, number | null>
    })
    const stats = Object.fromEntries(METRICS.map((k) => [k, meanSd(perSeed.map((p) => p[k]))]))
    return {
      replay,
      seeds: mine.map((r) => r.seed),
      perSeed,
      mean: Object.fromEntries(METRICS.map((k) => [k, stats[k]!.mean])) as Record<Metric, number | null>,
      sd: Object.fromEntries(METRICS.map((k) => [k, stats[k]!.sd])) as Record<Metric, number | null>,
    }
  })
}

const fmt = (x: number | null) => (x === null ? '–' : x.toFixed(2))
const pm = (m: number | null, s: number | null) =>
  m === null ? '–' : s === null ? fmt(m) : `${fmt(m)} ± ${fmt(s)}`

export function renderReplayMarkdown(summaries: readonly Summary[], perTask: number): string {
  const lines = [
    '# Replay report',
    '',
    `LoRA on CoIN's order; replay budget ${perTask} records per earlier task. Mean ± sample sd over seeds (training and sampling seed; data and base model fixed). ACC and BWT (GEM, ÷ T−1) as in results/forgetting; RG = InsCL's Relative Gain, 100 · mean_j R[T][j] / R[j][j].`,
    '',
    '| replay | seeds | ACC | BWT | forgetting | RG |',
    '|:---|---:|---:|---:|---:|---:|',
    ...summaries.map(
      (s) =>
        `| ${s.replay} | ${s.seeds.length} | ${METRICS.map((k) => pm(s.mean[k], s.sd[k])).join(' | ')} |`,
    ),
    '',
    '## Per seed',
    '',
    '| replay | seed | ACC | BWT | forgetting | RG |',
    '|:---|---:|---:|---:|---:|---:|',
    ...summaries.flatMap((s) =>
      s.perSeed.map(
        (p, i) => `| ${s.replay} | ${s.seeds[i]} | ${METRICS.map((k) => fmt(p[k])).join(' | ')} |`,
      ),
    ),
    '',
  ]
  return lines.join('\n')
}

export const replayReport = rule<ReplayReportParams>({
  name: 'replay-report',
  async run({ inputs, params, out, progress }) {
    const scores = await readCells(inputs, params.cells)
    progress({ message: `recording ${scores.length} scores` })
    // A scratch database of one run in the output (the same tables and views as coin.duckdb).
    const db = join(out, REPLAY_DATABASE)
    await recordRun(db, { scores, experiments: params.experiments }, { results_target: 'results/replay' })
    const summaries = await summarise(db, params.runs)
    await writeFile(join(out, 'replay.md'), renderReplayMarkdown(summaries, params.perTask))
    const csv = [
      'replay,seed,acc,bwt,forgetting,relative_gain',
      ...summaries.flatMap((s) =>
        s.perSeed.map((p, i) => [s.replay, s.seeds[i], ...METRICS.map((k) => p[k] ?? '')].join(',')),
      ),
    ]
    await writeFile(join(out, 'replay.csv'), `${csv.join('\n')}\n`)
  },
})
