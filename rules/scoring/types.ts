import type { Prediction, TestRecord } from '../datasets/records.ts'
import type { TaskId } from '../datasets/tasks.ts'

export type { Prediction, TestRecord } from '../datasets/records.ts'

/**
 * `coin` reproduces CoIN's published numbers, quirks included (DOMAIN.md §1.6); `strict` is the
 * rule the task's own benchmark intends (official VQA accuracy, a bbox parser without the slice
 * bug, ...). Tasks whose CoIN rule has no known defect use the same rule for both.
 */
export type Variant = 'coin' | 'strict'

/** The outcome for one test record. */
export interface ItemScore {
  question_id: string | number
  /** 0..1; fractional only for VQA soft accuracy. */
  score: number
  /** False when the output could not be interpreted (see each scorer), or there was no output. */
  parsed: boolean
  /** True when no prediction was paired with this test record. */
  missing: boolean
}

export interface ScoreResult {
  metric: 'accuracy'
  /** 100 · correct / n, the number CoIN prints as "Accuracy: X%". */
  value: number
  /** Test records scored (the denominator): every test record, answered or not. */
  n: number
  /** Sum of item scores: a count of right answers, fractional for VQA soft accuracy. */
  correct: number
  /** Outputs the rule could not interpret (they score 0, except where a CoIN quirk says otherwise). */
  parse_failures: number
  /** Test records without a prediction; they score 0. */
  missing: number
  /** Predictions paired with no test record (another task's file, a stale merge); not scored. */
  unmatched: number
  perItem: ItemScore[]
}

/** How predictions find their test record. */
export type Pairing = 'question_id' | 'row_index'

/** One task's rule in one variant. `scoreItem` is pure; `scoreWith` does pairing and totals. */
export interface Scorer {
  task: TaskId
  variant: Variant
  pairing: Pairing
  /** One line naming the rule and the script it mirrors, for reports and `--help`. */
  description: string
  scoreItem(test: TestRecord, prediction: Prediction): { score: number; parsed: boolean }
}
