import { isBlank, primaryAnswer } from './answers.ts'
import type { Scorer } from './types.ts'

/**
 * GQA, DOMAIN.md §1.6, mirroring CoIN's `convert_gqa_for_eval.py` then `eval_gqa.py`: the output
 * becomes `text.rstrip('.').lower()` and must equal the answer exactly. Nothing strips spaces, so
 * " yes" and "yes " are wrong (CoIN's own model_gqa.py strips its outputs before writing them;
 * prediction files from elsewhere may not), and "yes. " keeps its period, which is not last. The
 * answer is not lower-cased (GQA's answers already are). eval_gqa.py first builds a dict of the
 * predictions, so a repeated id counts once, its last line. A blank output is a parse failure.
 * The strict variant trims whitespace before the period strip and divides by the test set.
 */
export function normalizeGqaOutput(output: string): string {
  return output.replace(/\.+$/, '').toLowerCase()
}

export const gqaScorer: Scorer = {
  task: 'gqa',
  variant: 'coin',
  pairing: 'question_id',
  denominator: 'unique_predictions',
  description: "text.rstrip('.').lower() equals the answer (convert_gqa_for_eval.py, eval_gqa.py)",
  scoreItem(test, prediction) {
    const score = normalizeGqaOutput(prediction.text) === primaryAnswer(test.answer) ? 1 : 0
    return { score, parsed: !isBlank(prediction.text) }
  },
}

export const gqaStrictScorer: Scorer = {
  task: 'gqa',
  variant: 'strict',
  pairing: 'question_id',
  denominator: 'tests',
  description: "text.strip().rstrip('.').lower() equals the answer, over every test record",
  scoreItem(test, prediction) {
    const score = normalizeGqaOutput(prediction.text.trim()) === primaryAnswer(test.answer) ? 1 : 0
    return { score, parsed: !isBlank(prediction.text) }
  },
}
