import { UserError } from '../../src/errors.ts'
import { lineIndex, parseJsonDocument, readDataFile, topLevelElementOffsets } from './json-text.ts'
import {
  DataFileError,
  problemsFromAjv,
  type RecordProblem,
  showValueKind,
  validatorFor,
} from './record-problems.ts'

/**
 * The shared loader for CoIN's JSON-array files (train.json, test.json/val.json): read, parse,
 * check every record against a schema plus any checks a schema cannot express, and report the
 * problems of the whole file at once.
 */

export interface JsonArrayFileSpec<T> {
  /** Singular noun for messages: "train record", "test record". */
  kind: string
  schema: object
  /** The fix line of every diagnostic: what a good record looks like. */
  fix: string
  /** Checks that run on records the schema accepted; `base` is the record's pointer (`/12`). */
  extraChecks?: (record: T, index: number, base: string) => Omit<RecordProblem, 'index'>[]
}

export async function loadJsonArrayFile<T>(file: string, spec: JsonArrayFileSpec<T>): Promise<T[]> {
  const text = await readDataFile(file)
  const value = parseJsonDocument(text, file, spec.fix)
  if (!Array.isArray(value)) {
    throw new UserError({
      message: `${file}: expected a JSON array of ${spec.kind}s, got ${showValueKind(value)}`,
      file,
      key: '',
      fix: hasDataArray(value)
        ? `this looks like a raw annotation file with a "data" array (like TextVQA_0.5.1_val.json); use CoIN's file, a JSON array of ${spec.kind}s`
        : `the file must be one JSON array [{...}, {...}]; ${spec.fix}`,
    })
  }
  if (value.length === 0) {
    throw new UserError({
      message: `${file}: the file holds no ${spec.kind}s (an empty array)`,
      file,
      fix: spec.fix,
    })
  }

  const validate = validatorFor(spec.schema)
  const problems: RecordProblem[] = []
  let malformed = 0
  value.forEach((record, index) => {
    const base = `/${index}`
    const found = validate(record)
      ? (spec.extraChecks?.(record as T, index, base) ?? []).map((p) => ({ ...p, index }))
      : problemsFromAjv(validate.errors ?? [], index, base)
    if (found.length > 0) malformed++
    problems.push(...found)
  })
  if (problems.length > 0) throw new DataFileError(file, withRecordLines(text, problems), malformed, spec.fix)
  return value as T[]
}

function hasDataArray(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Array.isArray((value as { data?: unknown }).data)
}

/** Adds the line each problem's record starts on; only runs when there is something to report. */
function withRecordLines(text: string, problems: RecordProblem[]): RecordProblem[] {
  const offsets = topLevelElementOffsets(text)
  const at = lineIndex(text)
  return problems.map((p) => {
    const offset = offsets[p.index]
    return offset === undefined ? p : { ...p, line: at(offset).line }
  })
}
