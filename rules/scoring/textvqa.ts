import { answerList, isBlank } from './answers.ts'
import type { Scorer } from './types.ts'
import { vqaAccuracyOrExactMatch } from './vqa-accuracy.ts'

/**
 * TextVQA, DOMAIN.md §1.6, mirroring CoIN's `eval_textvqa.py` + `m4c_evaluator.py`: VQA soft
 * accuracy over the 10 human answers, with EvalAI normalisation of output and answers.
 * CoIN reads the 10 answers from TextVQA_0.5.1_val.json; coin reads them from the test record's
 * `answer`: an array of 10 answers, or one string, which counts as 10 identical answers (the
 * score is then a normalised exact match). Arrays of another length fall back to a normalised
 * match against any answer (CoIN would assert). A blank output is a parse failure and scores 0.
 * The official TextVQA metric is this same rule, so the strict variant is identical.
 */
export const textVqaScorer: Scorer = {
  task: 'textvqa',
  variant: 'coin',
  pairing: 'question_id',
  description:
    'VQA soft accuracy over 10 answers with EvalAI normalisation (eval_textvqa.py, m4c_evaluator.py)',
  scoreItem(test, prediction) {
    if (isBlank(prediction.text)) return { score: 0, parsed: false }
    return { score: vqaAccuracyOrExactMatch(prediction.text, answerList(test.answer)), parsed: true }
  },
}
