import type { Scorer } from './types.ts'

/**
 * ScienceQA, DOMAIN.md §1.6, mirroring CoIN's `ETrain/Eval/LLaVA/CoIN/eval_science_qa.py`.
 * The output's choice letter is, in order:
 *   1. the whole output when it is exactly one of A..E;
 *   2. its first character when it starts "X. " with X in A..E ("B. the cat");
 *   3. else the first single-character word (regex `\b(\w)\b`), upper-cased.
 * Steps 1 and 2 never change what step 3 alone would return (a leading letter before "." or the
 * end is itself a one-character word); they are kept so the code reads like the script.
 * Correct iff that letter is the answer's letter. Quirks kept: step 3 takes *any* one-character
 * word, so "I think B" parses as "I" and "It's C" as "S" (both wrong, but parsed); a lower-case
 * "b" counts as B. A parse failure is an output with no single-character word at all (CoIN's
 * "FAILED"). CoIN restricts letters to the question's choice count; a letter outside it can never
 * equal the answer, so ignoring the count changes no score.
 */

const OPTIONS = ['A', 'B', 'C', 'D', 'E']

/**
 * Python's `\b(\w)\b` on a str: `\w` is Unicode-aware there (letters, digits, underscore), unlike
 * JavaScript's ASCII `\w`, so the classes are spelled out.
 */
const SINGLE_CHAR_WORD = /(?<![\p{L}\p{N}_])([\p{L}\p{N}_])(?![\p{L}\p{N}_])/u

/** The choice letter CoIN reads from an output, or undefined where CoIN records "FAILED". */
export function parseChoiceLetter(output: string): string | undefined {
  if (OPTIONS.includes(output)) return output
  if (OPTIONS.includes(output[0] ?? '') && output.slice(1, 3) === '. ') return output[0]
  return SINGLE_CHAR_WORD.exec(output)?.[1]?.toUpperCase()
}

/**
 * The answer's letter. CoIN takes it from problems.json as an index; CoIN's test.json stores the
 * letter itself ("A"), and anything longer ("B. the cat") is read like an output.
 */
function answerLetter(answer: string | string[]): string | undefined {
  const text = typeof answer === 'string' ? answer : (answer[0] ?? '')
  return parseChoiceLetter(text.trim())
}

export const scienceQaScorer: Scorer = {
  task: 'scienceqa',
  variant: 'coin',
  pairing: 'question_id',
  description:
    'choice letter (exact A-E, "X. ...", else first one-character word) equals the answer (eval_science_qa.py)',
  scoreItem(test, prediction) {
    const letter = parseChoiceLetter(prediction.text)
    if (letter === undefined) return { score: 0, parsed: false }
    return { score: letter === answerLetter(test.answer) ? 1 : 0, parsed: true }
  },
}
