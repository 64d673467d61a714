import type { ErrorObject, ValidateFunction } from 'ajv'
import AjvModule from 'ajv'
import { UserError } from '../../src/errors.ts'

/**
 * Malformed records as data: each problem says which record, where inside it (a JSON pointer),
 * what was found and what was expected. A loader collects them over the whole file and throws one
 * `DataFileError` that shows the first few, so a user fixes five records per run, not one.
 */

/** How many problems a diagnostic shows; the rest are counted. */
export const MAX_REPORTED_PROBLEMS = 5

export interface RecordProblem {
  /** 0-based index of the record (JSONL: among the non-blank lines). */
  index: number
  /**
   * JSON pointer to the bad value: from the document root for JSON files (`/12/conversations/1/value`),
   * from the line's own value for JSONL files (`/text`). Empty for a JSONL line that is not JSON.
   */
  pointer: string
  /** 1-based line: the line the record starts on (JSON) or the record's line (JSONL). */
  line?: number
  /** 1-based column, for syntax errors. */
  column?: number
  /** What was found, e.g. `got 42`, `missing`. */
  found: string
  /** What should be there, e.g. `a string (the text of the turn)`. */
  expected: string
}

/** A data file with malformed records: `problems` holds every problem found (the message shows the first few). */
export class DataFileError extends UserError {
  readonly problems: RecordProblem[]
  readonly malformedRecords: number
  constructor(file: string, problems: RecordProblem[], malformedRecords: number, fix: string) {
    const shown = problems.slice(0, MAX_REPORTED_PROBLEMS)
    const first = shown[0]
    const noun = malformedRecords === 1 ? 'record' : 'records'
    const lines = [`${file}: ${malformedRecords} malformed ${noun}:`, ...shown.map(renderProblem)]
    if (problems.length > shown.length)
      lines.push(`  ... and ${problems.length - shown.length} more problems`)
    super({ message: lines.join('\n'), file, line: first?.line, key: first?.pointer || undefined, fix })
    this.problems = problems
    this.malformedRecords = malformedRecords
  }
}

function renderProblem(p: RecordProblem): string {
  const where = [
    p.line === undefined ? undefined : `line ${p.line}`,
    p.column === undefined ? undefined : `column ${p.column}`,
  ]
    .filter(Boolean)
    .join(', ')
  const at = p.pointer ? ` at ${p.pointer}` : ''
  return `  record ${p.index}${where ? ` (${where})` : ''}${at}: ${p.found}, expected ${p.expected}`
}

/** A short, single-line rendering of a found value. */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing'
  const json = JSON.stringify(value) ?? String(value)
  return json.length > 60 ? `${json.slice(0, 57)}...` : json
}

/** "an object", "a string", "null": for "expected an array, got ..." messages. */
export function showValueKind(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  const kind = typeof value
  return kind === 'object' ? 'an object' : `a ${kind}`
}

const Ajv = AjvModule.default ?? AjvModule
// verbose: errors carry the failing value (`data`) and the schema node (`parentSchema`) whose
// `description` is the "expected" phrase. allErrors: report every problem of a record at once.
// allowUnionTypes: ids are `type: ['string', 'number']`, which strict mode would warn about on stdout.
const ajv = new Ajv({ allErrors: true, verbose: true, allowUnionTypes: true })
const compiled = new WeakMap<object, ValidateFunction>()

/** Compiles a schema once and keeps it, so loading many files costs one compilation. */
export function validatorFor(schema: object): ValidateFunction {
  let validate = compiled.get(schema)
  if (!validate) {
    validate = ajv.compile(schema)
    compiled.set(schema, validate)
  }
  return validate
}

interface SchemaNode {
  description?: string
  properties?: Record<string, SchemaNode>
  anyOf?: SchemaNode[]
  required?: string[]
}

/**
 * Turns one record's ajv errors into problems. `base` is the pointer of the record itself
 * (`/12` in a JSON array, `` for a JSONL line). The branch errors of an `anyOf` are dropped in
 * favour of the `anyOf` error itself, whose node describes all the accepted shapes at once.
 */
export function problemsFromAjv(
  errors: ErrorObject[],
  index: number,
  base: string,
  line?: number,
): RecordProblem[] {
  const anyOfPaths = errors.filter((e) => e.keyword === 'anyOf').map((e) => `${e.schemaPath}/`)
  return errors
    .filter((e) => !anyOfPaths.some((p) => e.schemaPath.startsWith(p)))
    .map((e) => ({ index, line, ...locate(e, base) }))
}

function locate(e: ErrorObject, base: string): Pick<RecordProblem, 'pointer' | 'found' | 'expected'> {
  const node = (e.parentSchema ?? {}) as SchemaNode
  const here = `${base}${e.instancePath}`
  if (e.keyword === 'required') {
    const key = (e.params as { missingProperty: string }).missingProperty
    return {
      pointer: `${here}/${escapePointerToken(key)}`,
      found: 'missing',
      expected: node.properties?.[key]?.description ?? 'a value',
    }
  }
  const branches = node.anyOf ?? []
  if (e.keyword === 'anyOf' && branches.length > 0 && branches.every((b) => b.required?.length === 1)) {
    // "one of these keys must be present", e.g. a train record's "id" or "question_id".
    const keys = branches.map((b) => b.required![0]!)
    return {
      pointer: `${here}/${escapePointerToken(keys[0]!)}`,
      found: 'missing',
      expected: `${keys.map((k) => `"${k}"`).join(' or ')}: ${node.properties?.[keys[0]!]?.description ?? 'a value'}`,
    }
  }
  return {
    pointer: here,
    found: `got ${showValue(e.data)}`,
    expected: node.description ?? e.message ?? 'a valid value',
  }
}

export function escapePointerToken(token: string): string {
  return token.replaceAll('~', '~0').replaceAll('/', '~1')
}
