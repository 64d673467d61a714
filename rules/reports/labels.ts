import type { MetricRow } from '../../src/results/index.ts'
import type { MatrixRow, ReportExperiment, ReportRun } from './report-data.ts'

/** The metric columns every format shows, in this order, with the SQL column each comes from. */
export const METRIC_COLUMNS: readonly { key: keyof MetricRow & string; title: string; meaning: string }[] = [
  { key: 'acc', title: 'ACC', meaning: 'mean accuracy after the last stage, (1/T) Σ_j R[T][j]' },
  { key: 'bwt', title: 'BWT', meaning: 'GEM backward transfer, (1/(T−1)) Σ_{j<T} (R[T][j] − R[j][j])' },
  { key: 'bwt_trace', title: 'BWT/T', meaning: 'the same sum divided by T, as TRACE reports it' },
  { key: 'fwt', title: 'FWT', meaning: 'GEM forward transfer, (1/(T−1)) Σ_{j≥2} (R[j−1][j] − R[0][j])' },
  {
    key: 'forgetting',
    title: 'Forgetting',
    meaning:
      'Chaudhry average forgetting after the last stage, (1/(T−1)) Σ_{j<T} (max_{j≤l<T} R[l][j] − R[T][j])',
  },
  { key: 'maa', title: 'MAA', meaning: 'mean average accuracy (SEFE), (1/T) Σ_k mean_{j≤k} R[k][j]' },
]

/** "3 · imagenet": the stage number and what it trained. */
export function stageLabel(row: MatrixRow): string {
  return `${row.stage} · ${row.stage_task === 'zeroshot' ? 'zero-shot' : row.stage_task}`
}

/**
 * What names a run in a report header: `run r3, 2026-11-29 22:01 UTC, git abc1234 (dirty),
 * Coinfile.ts (digest 1a2b3c4d), host vm`. Missing parts are left out.
 */
export function runSummary(run: ReportRun): string {
  const parts = [`run ${run.run_id}`]
  if (run.started_at) parts.push(`${run.started_at.replace('T', ' ').slice(0, 16)} UTC`)
  if (run.git_rev)
    parts.push(`git ${run.git_rev.slice(0, 10)}${run.git_dirty ? ' (uncommitted changes)' : ''}`)
  if (run.coinfile)
    parts.push(`${run.coinfile}${run.coinfile_digest ? ` (digest ${run.coinfile_digest.slice(0, 12)})` : ''}`)
  if (run.host) parts.push(`host ${run.host}`)
  return parts.join(', ')
}

/** `--set a=1 --set b=2`, or a phrase saying the Coinfile's defaults were used. */
export function overridesText(run: ReportRun): string {
  return run.overrides.length > 0
    ? run.overrides.map((o) => `--set ${o}`).join(' ')
    : "none (the Coinfile's defaults)"
}

/** The average accuracy over the tasks seen so far after stage k, A_k = mean_{j≤k} R[k][j]; null when a cell is missing. */
export function seenTaskAccuracy(
  e: ReportExperiment,
): { stage: number; stage_task: string; value: number }[] {
  const out: { stage: number; stage_task: string; value: number }[] = []
  for (const row of e.rows) {
    if (row.stage < 1) continue
    const seen = row.values.slice(0, row.stage)
    if (seen.length < row.stage || seen.some((v) => v === null)) continue
    out.push({
      stage: row.stage,
      stage_task: row.stage_task,
      value: (seen as number[]).reduce((a, b) => a + b, 0) / seen.length,
    })
  }
  return out
}

/** An experiment's name with its kind when the name does not already say it ("multitask", not "multitask (multitask)"). */
export function experimentTitle(e: Pick<ReportExperiment, 'experiment' | 'kind'>): string {
  return e.kind === 'sequential' || e.experiment.toLowerCase().includes(e.kind)
    ? e.experiment
    : `${e.experiment} (${e.kind})`
}

/** Cell text: the value, and `[f/n unparsable]` when some outputs could not be parsed (they count as wrong). */
export function cellText(row: MatrixRow, j: number, format: (v: number | null) => string): string {
  const text = format(row.values[j] ?? null)
  const failures = row.parse_failures[j]
  const n = row.n[j]
  if (failures != null && failures > 0) return `${text} [${failures}/${n ?? '?'} unparsable]`
  return text
}

/** "n = 100 per cell" or "n = 50–100 per cell"; null when no cell recorded n. */
export function sampleSizeText(e: ReportExperiment): string | null {
  const ns = e.rows.flatMap((row) => row.n).filter((n): n is number => n !== null)
  if (ns.length === 0) return null
  const low = Math.min(...ns)
  const high = Math.max(...ns)
  return low === high
    ? `n = ${low} evaluated samples per cell`
    : `n = ${low}–${high} evaluated samples per cell`
}
