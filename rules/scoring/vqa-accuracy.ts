import { normalizeEvalAIAnswer } from './evalai-answer.ts'

/**
 * VQA soft accuracy (`TextVQAAccuracyEvaluator._compute_answer_scores` in CoIN's m4c_evaluator.py;
 * the official VQA metric): with 10 human answers, an output scores the mean over the 10
 * leave-one-out subsets of min(1, matches among the other 9 / 3). So 4 or more agreeing humans
 * give 1.0, 3 give 0.9, 2 give 0.6, 1 gives 0.3. Outputs and answers are EvalAI-normalised first.
 */
export function vqaSoftAccuracy(output: string, answers: readonly string[]): number {
  const normalized = answers.map(normalizeEvalAIAnswer)
  const predicted = normalizeEvalAIAnswer(output)
  // Mirrors the Python loop term by term so sums round the same way.
  let sum = 0
  for (let left = 0; left < normalized.length; left++) {
    let matches = 0
    for (let i = 0; i < normalized.length; i++) if (i !== left && normalized[i] === predicted) matches++
    sum += Math.min(1, matches / 3)
  }
  return sum / normalized.length
}

/** How many human answers the VQA metric is defined over. */
export const VQA_ANSWER_COUNT = 10

/**
 * Soft accuracy when there are exactly 10 answers; otherwise an exact match of the normalised
 * output against any given answer. One answer (a plain string) behaves as 10 identical answers,
 * which scores the same as that exact match. Other counts have no defined soft accuracy (the
 * leave-one-out formula caps 1 answer at 0 and 2 at 1/3), hence the exact-match fallback.
 */
export function vqaAccuracyOrExactMatch(output: string, answers: readonly string[]): number {
  if (answers.length === VQA_ANSWER_COUNT) return vqaSoftAccuracy(output, answers)
  const predicted = normalizeEvalAIAnswer(output)
  return answers.some((a) => normalizeEvalAIAnswer(a) === predicted) ? 1 : 0
}
