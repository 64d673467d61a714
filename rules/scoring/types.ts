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
  /** The denominator (CoIN's "Samples: N"); what it counts is `denominator`. */
  n: number
  /** What `n` counts (see `Denominator`). */
  denominator: Denominator
  /** Non-blank lines of the prediction file. */
  lines: number
  /** Prediction lines whose question_id an earlier line already had. */
  duplicates: number
  /** Row pairing only: rows whose prediction and test record carry different question_ids. */
  id_mismatches: number
  /**
   * What a reader of the number must know: missing, duplicate or unknown ids, row/id mismatches,
   * too few gold answers. Empty when the prediction file and the test set agree exactly.
   */
  warnings: string[]
  /** Sum of item scores: a count of right answers, fractional for VQA soft accuracy. */
  correct: number
  /** Outputs the rule could not interpret (they score 0, except where a CoIN quirk says otherwise). */
  parse_failures: number
  /** Test records without a prediction: they score 0 when `denominator` is 'tests', else they do not count. */
  missing: number
  /** Predictions paired with no test record (another task's file, a stale merge); never scored. */
  unmatched: number
  perItem: ItemScore[]
}

/** How predictions find their test record. */
export type Pairing = 'question_id' | 'row_index'

/**
 * What the accuracy divides by. CoIN's scripts mostly loop over the prediction file
 * (`total = len(results)`), so a prediction file that lacks answers looks better than it is:
 *   - 'predictions': every prediction line with a known id, duplicates scored each time
 *     (eval_textvqa, eval_vizwiz, eval_vqav2, eval_ocrvqa, eval_grounding, eval_ImagetNet);
 *   - 'unique_predictions': the distinct known ids of the prediction file, the last line of a
 *     repeated id counting (eval_gqa builds a dict of the predictions first);
 *   - 'tests': every test record, a missing prediction scoring 0 (eval_science_qa, and every
 *     strict rule).
 */
export type Denominator = 'predictions' | 'unique_predictions' | 'tests'

/** One task's rule in one variant. `scoreItem` is pure; `scoreWith` does pairing and totals. */
export interface Scorer {
  task: TaskId
  variant: Variant
  pairing: Pairing
  denominator: Denominator
  /** One line naming the rule and the script it mirrors, for reports and `--help`. */
  description: string
  scoreItem(test: TestRecord, prediction: Prediction): { score: number; parsed: boolean }
  /** Warnings about the test set itself (e.g. TextVQA records with one answer instead of ten). */
  checkTests?(tests: readonly TestRecord[]): string[]
}
