import { isBlank, primaryAnswer } from './answers.ts'
import type { Scorer } from './types.ts'

/**
 * ImageNet, DOMAIN.md §1.6, mirroring CoIN's `eval_ImagetNet.py`: correct iff the answer is a
 * substring of the output or the output a substring of the answer (case-sensitive).
 * Quirks of the CoIN rule, kept so numbers reproduce:
 *   - predictions are paired with test records by ROW INDEX, not question_id (CoIN zips
 *     test.json with merge.jsonl), so reordered or dropped predictions shift every later pair;
 *   - an empty output is a substring of every answer, so it counts as CORRECT. coin still flags
 *     it (parsed: false, counted in parse_failures) so a model that says nothing is visible;
 *   - whitespace-only output is correct whenever the answer contains a space ("golden retriever").
 * The strict variant pairs by question_id and scores a blank output 0.
 */
function substringEitherWay(answer: string, output: string): boolean {
  return output.includes(answer) || answer.includes(output)
}

export const imageNetScorer: Scorer = {
  task: 'imagenet',
  variant: 'coin',
  pairing: 'row_index',
  denominator: 'predictions',
  description: 'answer in output or output in answer, paired by row index (eval_ImagetNet.py)',
  scoreItem(test, prediction) {
    const score = substringEitherWay(primaryAnswer(test.answer), prediction.text) ? 1 : 0
    return { score, parsed: !isBlank(prediction.text) }
  },
}

export const imageNetStrictScorer: Scorer = {
  task: 'imagenet',
  variant: 'strict',
  pairing: 'question_id',
  denominator: 'tests',
  description: 'answer in output or output in answer, paired by question_id, blank output wrong',
  scoreItem(test, prediction) {
    if (isBlank(prediction.text)) return { score: 0, parsed: false }
    return { score: substringEitherWay(primaryAnswer(test.answer), prediction.text) ? 1 : 0, parsed: true }
  },
}
