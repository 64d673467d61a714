/**
 * `results/forgetting`: gathers every score the Coinfile wired to a matrix cell into one results
 * snapshot (`results.json`: the experiments, and per cell its value, n, parse failures, the
 * evaluated checkpoint and the score target's key). The snapshot is deterministic and cached like
 * any output; after the build, coin records it as a run in `results/coin.duckdb` (which keeps every
 * run) and renders `results/forgetting.{md,csv,tex,svg,html}` for that run (src/cli/run-recorder.ts).
 */
import { join } from 'node:path'
import { rule } from '../../src/config/define.ts'
import { type ExperimentRow, type ScoreRow, validateResultsData } from '../../src/results/index.ts'
import { RESULTS_SNAPSHOT_FILE, type ResultsSnapshot } from '../../src/results/snapshot.ts'
import type { ReportFormat } from '../reports/index.ts'
import { SCORE_FILE, type ScoreFile } from './eval-rules.ts'
import { readJson, writeJson } from './files.ts'

/** Where one score lands in the matrix: R[stage][eval_task] of an experiment. */
export interface Cell
  extends Pick<ScoreRow, 'experiment' | 'method' | 'order_name' | 'stage' | 'stage_task' | 'eval_task'> {
  /** The report target's input name that points at the score target. */
  input: string
  /** The score target's id and params (kept for the Coinfile's wiring; timings come from action records). */
  target: string
  params: unknown
}

export interface ReportParams {
  experiments: ExperimentRow[]
  cells: Cell[]
  formats: ReportFormat[]
}

/** The score rows of `cells`, read from the score targets' outputs (also used by results/replay). */
export async function readCells(
  inputs: Record<string, unknown>,
  cells: readonly Cell[],
): Promise<ScoreRow[]> {
  const scores: ScoreRow[] = []
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
  }
  return scores
}

export const forgettingReport = rule<ReportParams>({
  name: 'forgetting-report',
  async run({ inputs, params, out, progress }) {
    const scores = await readCells(inputs, params.cells)
    // Bad wiring fails this target (with the record path), not the recording after the build.
    validateResultsData('results snapshot', { scores, experiments: params.experiments })
    progress({ message: `${scores.length} scores` })
    const snapshot: ResultsSnapshot = {
      format: 1,
      formats: params.formats,
      experiments: params.experiments,
      scores,
    }
    await writeJson(join(out, RESULTS_SNAPSHOT_FILE), snapshot)
  },
})
