import { UserError } from '../../src/errors.ts'
import { describeJsonSyntaxError, readDataFile } from './json-text.ts'
import { DataFileError, problemsFromAjv, type RecordProblem, validatorFor } from './record-problems.ts'
import type { Prediction } from './records.ts'
import { PREDICTION_RECORD_SHAPE, predictionRecordSchema } from './schemas.ts'

/**
 * Loads a prediction file: JSONL, one `{question_id, text, ...}` object per line, as CoIN's
 * `model_vqa.py` writes per GPU chunk and `cat` merges into `merge.jsonl` (DOMAIN.md §1.2).
 * Blank lines are skipped (a trailing newline, or chunks concatenated with blank lines between).
 * Problems carry the file's line number; pointers are relative to the line's object (`/text`).
 */
export async function loadPredictionsFile(file: string): Promise<Prediction[]> {
  const text = await readDataFile(file)
  if (isJsonArray(text)) {
    throw new UserError({
      message: `${file}: is one JSON array, but prediction files are JSONL`,
      file,
      line: 1,
      fix: 'write one JSON object per line with no enclosing [ ] (e.g. jq -c ".[]" file.json > merge.jsonl)',
    })
  }
  const validate = validatorFor(predictionRecordSchema)
  const predictions: Prediction[] = []
  const problems: RecordProblem[] = []
  let malformed = 0
  let index = 0
  const lines = text.split('\n')
  lines.forEach((raw, i) => {
    const lineText = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    if (lineText.trim() === '') return
    const line = i + 1
    const checked = checkLine(lineText, index, line, validate)
    if ('prediction' in checked) {
      predictions.push(checked.prediction)
    } else {
      malformed++
      problems.push(...checked.problems)
    }
    index++
  })
  if (problems.length > 0) {
    const fix = `each line must be one JSON object like ${PREDICTION_RECORD_SHAPE} (JSONL, DOMAIN.md §1.2)`
    throw new DataFileError(file, problems, malformed, fix)
  }
  return predictions
}

/** A whole-file JSON array (someone wrote predictions with json.dump): one error, not one per line. */
function isJsonArray(text: string): boolean {
  if (!text.trimStart().startsWith('[')) return false
  try {
    return Array.isArray(JSON.parse(text))
  } catch {
    return false
  }
}

function checkLine(
  lineText: string,
  index: number,
  line: number,
  validate: ReturnType<typeof validatorFor>,
): { prediction: Prediction } | { problems: RecordProblem[] } {
  let value: unknown
  try {
    value = JSON.parse(lineText)
  } catch (e) {
    const where = describeJsonSyntaxError(lineText, e)
    const problem = {
      index,
      pointer: '',
      line,
      column: where.column,
      found: `invalid JSON (${where.reason})`,
      expected: 'one JSON object per line',
    }
    return { problems: [problem] }
  }
  if (validate(value)) return { prediction: value as Prediction }
  return { problems: problemsFromAjv(validate.errors ?? [], index, '', line) }
}
