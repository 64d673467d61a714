import { UserError } from '../../src/errors.ts'
import type { Scorer, TestRecord } from './types.ts'

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
 * "FAILED"). A letter beyond the question's choices is wrong (`get_pred_idx`), which only matters
 * when the gold comes from problems.json, the one source that says how many choices there are.
 * The denominator is every problem of the split, a missing prediction scoring 0 (CoIN's "FAILED").
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
 * The answer's letter: CoIN's scorer takes it from problems.json (`loadScienceQaProblems` turns
 * that into letters); a test.json record must carry the letter itself ("A"), checked here so a
 * gold like "B. the cat" or "2" is an error instead of a silent zero.
 */
function answerLetter(test: TestRecord): string {
  const text = typeof test.answer === 'string' ? test.answer : test.answer.length === 1 ? test.answer[0]! : ''
  if (OPTIONS.includes(text.trim())) return text.trim()
  throw new UserError({
    message: `ScienceQA test record ${test.question_id} has the answer ${JSON.stringify(test.answer)}, not a letter A-E`,
    key: String(test.question_id),
    fix: 'give the option\'s letter as the answer ("answer": "B"), or score against ScienceQA\'s problems.json + pid_splits.json (--annotations <folder>)',
  })
}

/** The letters the question offers: `options[:len(choices)]` when the count is known. */
function offered(test: TestRecord): string[] {
  return typeof test.choices === 'number' ? OPTIONS.slice(0, test.choices) : OPTIONS
}

export const scienceQaScorer: Scorer = {
  task: 'scienceqa',
  variant: 'coin',
  pairing: 'question_id',
  denominator: 'tests',
  description:
    'choice letter (exact A-E, "X. ...", else first one-character word) equals the answer (eval_science_qa.py)',
  scoreItem(test, prediction) {
    const gold = answerLetter(test)
    const letter = parseChoiceLetter(prediction.text)
    if (letter === undefined) return { score: 0, parsed: false }
    return { score: letter === gold && offered(test).includes(letter) ? 1 : 0, parsed: true }
  },
}
