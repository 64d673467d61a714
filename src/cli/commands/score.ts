/**
 * `coin score --task <task> --test <test.json> --pred <merge.jsonl>`: score one prediction file
 * with CoIN's rule for the task (or the strict one), outside any build. Useful to re-score CoIN's
 * own outputs, or to check a scorer change against known numbers.
 */
import { goldRecords, loadPredictionsFile, loadTestFile } from '../../../rules/datasets/index.ts'
import {
  formatResultText,
  getScorer,
  type ScoreResult,
  scoreWith,
  type Variant,
} from '../../../rules/scoring/index.ts'

export interface ScoreCommandOptions {
  task: string
  /** The test file (CoIN test.json / val.json); ScienceQA may be scored from `annotations` alone. */
  test?: string
  /** TextVQA: TextVQA_0.5.1_val.json; ScienceQA: the folder of problems.json and pid_splits.json. */
  annotations?: string
  /** The prediction file (JSONL, CoIN's merge.jsonl). */
  pred: string
  variant?: Variant
}

/** Loads both files (validated) and scores them; the command's whole job except printing. */
export async function runScore(opts: ScoreCommandOptions): Promise<ScoreResult> {
  const scorer = getScorer(opts.task, opts.variant ?? 'coin')
  const [tests, predictions] = await Promise.all([
    opts.test === undefined ? undefined : loadTestFile(opts.test, scorer.task),
    loadPredictionsFile(opts.pred),
  ])
  return scoreWith(scorer, await goldRecords(scorer.task, tests, opts.annotations), predictions)
}

/**
 * CoIN's Result.text lines first (so scripts that read CoIN results read these), then what CoIN
 * never reported: parse failures, missing and unmatched predictions. `--json` prints the whole
 * result, per-item scores included, as one object. Warnings go to stderr (`formatWarnings`).
 */
export function formatScoreReport(
  result: ScoreResult,
  opts: { task: string; variant: Variant; json?: boolean },
): string {
  if (opts.json) return `${JSON.stringify({ task: opts.task, variant: opts.variant, ...result })}\n`
  const lines = [
    `Denominator: ${result.denominator} (${result.lines} prediction lines)`,
    `Parse failures: ${result.parse_failures}`,
    `Missing: ${result.missing}`,
  ]
  if (result.duplicates > 0) lines.push(`Duplicate prediction ids: ${result.duplicates}`)
  if (result.unmatched > 0) lines.push(`Unmatched predictions: ${result.unmatched}`)
  if (result.id_mismatches > 0) lines.push(`Row id mismatches: ${result.id_mismatches}`)
  return `${formatResultText(result)}${lines.join('\n')}\n`
}

export function formatWarnings(result: ScoreResult): string {
  return result.warnings.map((w) => `warning: ${w}\n`).join('')
}

export async function run(opts: ScoreCommandOptions & { json?: boolean }) {
  const result = await runScore(opts)
  process.stderr.write(formatWarnings(result))
  const task = getScorer(opts.task).task
  process.stdout.write(formatScoreReport(result, { task, variant: opts.variant ?? 'coin', json: opts.json }))
  return 0
}
