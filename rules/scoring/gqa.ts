import { isBlank, primaryAnswer } from './answers.ts'
import type { Scorer } from './types.ts'

/**
 * GQA, DOMAIN.md §1.6, mirroring CoIN's `convert_gqa_for_eval.py` then `eval_gqa.py`: the output
 * becomes `text.rstrip('.').lower()` with one leading space dropped, and must equal the answer
 * exactly. Quirks kept: all trailing periods go but trailing spaces stay ("yes " is wrong, and
 * so is "yes. ", whose period is not last); only one leading space is dropped; the answer itself
 * is not lower-cased (GQA's answers already are). A blank output is a parse failure (it scores 0
 * by the rule anyway). GQA's official accuracy is this same exact match, so strict is identical.
 */
export function normalizeGqaOutput(output: string): string {
  const lowered = output.replace(/\.+$/, '').toLowerCase()
  return lowered.startsWith(' ') ? lowered.slice(1) : lowered
}

export const gqaScorer: Scorer = {
  task: 'gqa',
  variant: 'coin',
  pairing: 'question_id',
  description:
    "text.rstrip('.').lower(), one leading space dropped, equals the answer (convert_gqa_for_eval.py, eval_gqa.py)",
  scoreItem(test, prediction) {
    const score = normalizeGqaOutput(prediction.text) === primaryAnswer(test.answer) ? 1 : 0
    return { score, parsed: !isBlank(prediction.text) }
  },
}
