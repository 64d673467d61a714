/**
 * `results/forgetting`: loads every score into a fresh DuckDB file (scores, experiments, runs; the
 * metrics are SQL views) and renders the paper artifacts from it. The target's output is published
 * to `results/`, so `results/coin.duckdb` and `results/forgetting.{md,csv,tex,svg}` are always the
 * rendering of exactly the current scores.
 */
import { join } from 'node:path'
import { rule } from '../../src/config/define.ts'
import { type ExperimentRow, ingest, type RunRow, type ScoreRow } from '../../src/results/index.ts'
import { type ReportFormat, renderForgettingReport } from '../reports/index.ts'
import { SCORE_FILE, type ScoreFile } from './eval-rules.ts'
import { readJson } from './files.ts'

/** Where one score lands in the matrix: R[stage][eval_task] of an experiment. */
export interface Cell
  extends Pick<ScoreRow, 'experiment' | 'method' | 'order_name' | 'stage' | 'stage_task' | 'eval_task'> {
  /** The report target's input name that points at the score target. */
  input: string
  /** The score target's id and params (provenance for the runs table). */
  target: string
  params: unknown
}

export interface ReportParams {
  experiments: ExperimentRow[]
  cells: Cell[]
  formats: ReportFormat[]
}

export const DATABASE_FILE = 'coin.duckdb'

/** The score rows (and their provenance rows) of `cells`, read from the score targets' outputs. */
export async function readCells(
  inputs: Record<string, unknown>,
  cells: readonly Cell[],
): Promise<{ scores: ScoreRow[]; runs: RunRow[] }> {
  const scores: ScoreRow[] = []
  const runs: RunRow[] = []
  for (const cell of cells) {
    const s = await readJson<ScoreFile>(join(inputs[cell.input] as string, SCORE_FILE))
    scores.push({
      experiment: cell.experiment,
      method: cell.method,
      order_name: cell.order_name,
      stage: cell.stage,
      stage_task: cell.stage_task,
      eval_task: cell.eval_task,
      metric: s.metric,
      value: s.value,
      n: s.n,
      parse_failures: s.parse_failures,
      key: s.key,
      checkpoint: s.checkpoint,
    })
    runs.push({
      key: s.key,
      target: cell.target,
      rule: 'score',
      params: cell.params,
      // Timings live in the cache's action records, not in outputs (outputs must be reproducible).
      started_at: null,
      finished_at: null,
      duration_ms: null,
      executor: 'local',
      host: null,
    })
  }
  return { scores, runs }
}

export const forgettingReport = rule<ReportParams>({
  name: 'forgetting-report',
  async run({ inputs, params, out, progress }) {
    const { scores, runs } = await readCells(inputs, params.cells)
    progress({ message: `ingesting ${scores.length} scores` })
    const db = join(out, DATABASE_FILE)
    await ingest(db, 'results/forgetting', { scores, experiments: params.experiments, runs })
    progress({ message: 'rendering' })
    await renderForgettingReport(db, out, { formats: params.formats })
  },
})
