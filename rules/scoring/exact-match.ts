import { answerList, isBlank, primaryAnswer } from './answers.ts'
import type { Scorer } from './types.ts'
import { vqaAccuracyOrExactMatch } from './vqa-accuracy.ts'

/**
 * The three tasks CoIN scores by plain case-insensitive equality (DOMAIN.md §1.6), and the strict
 * VQA rule for VizWiz and VQAv2. For all of them a blank output is a parse failure; it scores 0
 * (no answer is blank).
 */

/** `pred.upper() == answer.upper()`: no trimming, no punctuation handling. */
function upperEquals(output: string, answer: string): boolean {
  return output.toUpperCase() === answer.toUpperCase()
}

/**
 * VizWiz, mirroring CoIN's `eval_vizwiz.py`: one answer string, compared upper-cased. Not VizWiz's
 * official 10-answer VQA accuracy; that is the strict variant.
 */
export const vizWizScorer: Scorer = {
  task: 'vizwiz',
  variant: 'coin',
  pairing: 'question_id',
  denominator: 'predictions',
  description: 'pred.upper() == answer.upper() (eval_vizwiz.py)',
  scoreItem(test, prediction) {
    return {
      score: upperEquals(prediction.text, primaryAnswer(test.answer)) ? 1 : 0,
      parsed: !isBlank(prediction.text),
    }
  },
}

/** VQAv2, mirroring CoIN's `eval_vqav2.py`: same rule as VizWiz; not the official VQA accuracy. */
export const vqaV2Scorer: Scorer = {
  ...vizWizScorer,
  task: 'vqav2',
  description: 'pred.upper() == answer.upper() (eval_vqav2.py)',
}

/**
 * OCR-VQA, mirroring CoIN's `eval_ocrvqa.py`: `pred.lower() == answer.lower()`, except that an
 * output containing "Unanswerable" (case-sensitive) is wrong whatever the answer, while still
 * counting in the denominator. (CoIN's Result.text also prints "Samples: 0" because it counts an
 * unused list; coin reports the real count.)
 */
export const ocrVqaScorer: Scorer = {
  task: 'ocrvqa',
  variant: 'coin',
  pairing: 'question_id',
  denominator: 'predictions',
  description: 'pred.lower() == answer.lower(), outputs containing "Unanswerable" wrong (eval_ocrvqa.py)',
  scoreItem(test, prediction) {
    const parsed = !isBlank(prediction.text)
    if (prediction.text.includes('Unanswerable')) return { score: 0, parsed }
    return {
      score: prediction.text.toLowerCase() === primaryAnswer(test.answer).toLowerCase() ? 1 : 0,
      parsed,
    }
  },
}

/**
 * Strict VizWiz/VQAv2: the official VQA accuracy when the record carries 10 human answers, else
 * an exact match after EvalAI normalisation (so "Yes." matches "yes", "two" matches "2").
 */
export const vizWizStrictScorer: Scorer = {
  task: 'vizwiz',
  variant: 'strict',
  pairing: 'question_id',
  denominator: 'tests',
  description: 'VQA soft accuracy over 10 answers, else normalised exact match (EvalAI normalisation)',
  scoreItem(test, prediction) {
    if (isBlank(prediction.text)) return { score: 0, parsed: false }
    return { score: vqaAccuracyOrExactMatch(prediction.text, answerList(test.answer)), parsed: true }
  },
}

export const vqaV2StrictScorer: Scorer = { ...vizWizStrictScorer, task: 'vqav2' }
