import { answerList, isBlank } from './answers.ts'
import type { Scorer } from './types.ts'
import { VQA_ANSWER_COUNT, vqaAccuracyOrExactMatch } from './vqa-accuracy.ts'

/**
 * TextVQA, DOMAIN.md §1.6, mirroring CoIN's `eval_textvqa.py` + `m4c_evaluator.py`: VQA soft
 * accuracy over the 10 human answers, with EvalAI normalisation of output and answers, divided by
 * the prediction lines. CoIN reads the 10 answers from `TextVQA_0.5.1_val.json`, not from val.json
 * (whose `answer` is one string): give that file (`coin score --annotations`, or the Coinfile's
 * `data.textvqaAnnotations`) and `withTextVqaAnnotations` puts its answers on the test records.
 * Without it a record's one answer counts as 10 identical answers (a normalised exact match),
 * which scores a model higher or lower than CoIN does, so `checkTests` says so loudly. Arrays of
 * another length than 10 fall back to a normalised match against any answer (CoIN would assert).
 * A blank output is a parse failure and scores 0. The strict variant divides by the test set.
 */
export const textVqaScorer: Scorer = {
  task: 'textvqa',
  variant: 'coin',
  pairing: 'question_id',
  denominator: 'predictions',
  description:
    'VQA soft accuracy over 10 answers with EvalAI normalisation (eval_textvqa.py, m4c_evaluator.py)',
  scoreItem(test, prediction) {
    if (isBlank(prediction.text)) return { score: 0, parsed: false }
    return { score: vqaAccuracyOrExactMatch(prediction.text, answerList(test.answer)), parsed: true }
  },
  checkTests(tests) {
    const short = tests.filter((t) => answerList(t.answer).length !== VQA_ANSWER_COUNT).length
    if (short === 0) return []
    return [
      `TEXTVQA SCORED AGAINST ONE ANSWER: ${short} of ${tests.length} test records carry ${short === tests.length ? 'a single answer' : 'fewer or more than 10 answers'}, ` +
        "not TextVQA's 10 human answers, so this is a normalised exact match, not CoIN's number. " +
        'Give TextVQA_0.5.1_val.json: coin score --annotations <file>, or data.textvqaAnnotations in the Coinfile',
    ]
  },
}
