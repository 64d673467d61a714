import { UserError } from '../../src/errors.ts'
import { parsePythonFloat } from './python-compat.ts'
import type { Denominator, Scorer, TestRecord } from './types.ts'

/**
 * Grounding (RefCOCO/RefCOCO+/RefCOCOg), DOMAIN.md §1.6, mirroring CoIN's `eval_grounding.py`:
 * the output and `answer_bbox` are boxes [x1, y1, x2, y2] normalised to the padded square image;
 * both are scaled by max(width, height) and the output is correct iff IoU > 0.5.
 *
 * CoIN's output parser, reproduced quirk for quirk (no space is stripped anywhere):
 *   1. delete every "[" and "]";
 *   2. split `text[1:-1]` on ",": this slice drops the first and last character AFTER the
 *      brackets are gone, so "[0.1, 0.2, 0.3, 0.45]" parses as 0.1 (".1"), 0.2, 0.3, 0.4 ("0.4"):
 *      the last coordinate loses its last digit, and "[0.1, 0.2, 0.3, 0.4]" gets y2 = 0 ("0."),
 *      a zero-height box that is always wrong; a leading space is what the slice eats instead,
 *      so " [0.1, ...]" keeps its x1 whole;
 *   3. each piece through Python's float(); anything but exactly 4 numbers is wrong (unparsed),
 *      and still counts in the denominator (CoIN's `continue` after `total = len(results)`).
 * The strict variant parses "[x1, y1, x2, y2]" with or without brackets and spaces, no slice;
 * both variants read `answer_bbox` CoIN's way, which has no slice and is correct.
 */

/** Both variants score the same way once a box is parsed; they differ in how text becomes a box. */
type Box = [number, number, number, number]

/** CoIN's `calculate_iou`, including its arithmetic on inverted boxes (negative areas). */
export function iou(a: Box, b: Box): number {
  const [x1, y1, x2, y2] = a
  const [u1, v1, u2, v2] = b
  const intersection =
    Math.max(0, Math.min(x2, u2) - Math.max(x1, u1)) * Math.max(0, Math.min(y2, v2) - Math.max(y1, v1))
  const union = (x2 - x1) * (y2 - y1) + (u2 - u1) * (v2 - v1) - intersection
  return union > 0 ? intersection / union : 0
}

function fourNumbers(pieces: string[], parse: (s: string) => number | undefined): Box | undefined {
  if (pieces.length !== 4) return undefined
  const numbers = pieces.map(parse)
  return numbers.every((n) => n !== undefined) ? (numbers as Box) : undefined
}

/** CoIN's parse of a model output, slice quirk and all (see the file comment). */
export function parseCoinPredictedBox(output: string): Box | undefined {
  const unbracketed = output.replaceAll('[', '').replaceAll(']', '')
  // Python slices by code point; Array.from keeps an astral character (an emoji) whole.
  const sliced = Array.from(unbracketed).slice(1, -1).join('')
  return fourNumbers(sliced.split(','), parsePythonFloat)
}

/** CoIN's parse of `answer_bbox`: brackets deleted, split on ",", no slice. */
export function parseCoinAnswerBox(text: string): Box | undefined {
  return fourNumbers(text.replaceAll('[', '').replaceAll(']', '').split(','), parsePythonFloat)
}

const NUMBER = String.raw`\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*`
const STRICT_BOX = new RegExp(String.raw`^\s*(\[?)${NUMBER},${NUMBER},${NUMBER},${NUMBER}(\]?)\s*\.?\s*$`)

/** "[x1, y1, x2, y2]" or "x1,y1,x2,y2": balanced brackets or none, any spacing, a trailing period. */
export function parseStrictBox(text: string): Box | undefined {
  const m = STRICT_BOX.exec(text)
  const balanced = m !== null && (m[1] === '[') === (m[6] === ']')
  if (!balanced) return undefined
  return [Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])]
}

function answerBox(test: TestRecord, parse: (text: string) => Box | undefined): Box {
  const box = test.answer_bbox === undefined ? undefined : parse(test.answer_bbox)
  if (box) return box
  throw new UserError({
    message: `grounding test record ${test.question_id} has ${test.answer_bbox === undefined ? 'no answer_bbox' : `an unreadable answer_bbox ${JSON.stringify(test.answer_bbox)}`}`,
    key: String(test.question_id),
    fix: 'every grounding test record needs "answer_bbox": "[x1, y1, x2, y2]" and "size": [width, height]',
  })
}

/** CoIN multiplies both boxes by max(w, h) before the IoU; kept so ties at 0.5 round alike. */
function scaled(box: Box, test: TestRecord): Box {
  const scale = test.size ? Math.max(...test.size) : 1
  return box.map((v) => v * scale) as Box
}

function groundingScorer(
  variant: 'coin' | 'strict',
  denominator: Denominator,
  parseOutput: (text: string) => Box | undefined,
  parseAnswer: (text: string) => Box | undefined,
  description: string,
): Scorer {
  return {
    task: 'grounding',
    variant,
    pairing: 'question_id',
    denominator,
    description,
    scoreItem(test, prediction) {
      const truth = answerBox(test, parseAnswer)
      const predicted = parseOutput(prediction.text)
      if (!predicted) return { score: 0, parsed: false }
      return { score: iou(scaled(predicted, test), scaled(truth, test)) > 0.5 ? 1 : 0, parsed: true }
    },
  }
}

export const groundingScorerCoin = groundingScorer(
  'coin',
  'predictions',
  parseCoinPredictedBox,
  parseCoinAnswerBox,
  'IoU > 0.5 with text[1:-1] bbox parsing (eval_grounding.py)',
)

export const groundingScorerStrict = groundingScorer(
  'strict',
  'tests',
  parseStrictBox,
  parseCoinAnswerBox,
  'IoU > 0.5 with a [x1, y1, x2, y2] parser (no slice quirk)',
)
