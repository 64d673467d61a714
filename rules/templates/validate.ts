import type { ErrorObject, Options, ValidateFunction } from 'ajv'
import AjvModule from 'ajv'
import { COIN_TASK_IDS } from '../../datasets/coin-mini/tasks.ts'
import { UserError } from '../../src/errors.ts'
import { PARAPHRASE_COUNT, PARAPHRASE_SET_SCHEMA, SINGLE_SET_SCHEMA } from './schema.ts'

/** ajv is CommonJS: under ESM its class is the default export's `default` (or the export itself). */
const Ajv = ((AjvModule as unknown as { default?: unknown }).default ?? AjvModule) as new (
  options: Options,
) => import('ajv').default

export type TemplateFileKind = 'single' | 'paraphrase'

let validators: Record<TemplateFileKind, ValidateFunction> | undefined
function validatorFor(kind: TemplateFileKind): ValidateFunction {
  if (!validators) {
    const ajv = new Ajv({ allErrors: true, strict: true })
    validators = { single: ajv.compile(SINGLE_SET_SCHEMA), paraphrase: ajv.compile(PARAPHRASE_SET_SCHEMA) }
  }
  return validators[kind]
}

/**
 * Parses and validates a template file's text. A mistake becomes a UserError naming the file,
 * the JSON pointer of the offending value and how to fix it; when there are several, the first is
 * reported and the rest are counted.
 */
export function parseTemplateFile(text: string, file: string, kind: TemplateFileKind): unknown {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err)
    const position = /position (\d+)/.exec(detail)?.[1]
    const diagnostic = {
      file,
      message: `is not valid JSON (${detail})`,
      fix: 'fix the JSON syntax; a template file looks like {"templates": {"scienceqa": "...", ...}}',
    }
    throw new UserError(position ? { ...diagnostic, line: lineAt(text, Number(position)) } : diagnostic)
  }
  const validate = validatorFor(kind)
  if (!validate(data)) {
    const errors = validate.errors ?? []
    const first = errors[0]
    if (!first) throw new Error(`internal error: ${file} failed validation without an error`)
    const { key, message, fix } = explain(first, kind)
    const more =
      errors.length > 1 ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? 's' : ''})` : ''
    throw new UserError({ file, key, message: `${message}${more}`, fix })
  }
  return data
}

function lineAt(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length
}

const TASK_LIST = COIN_TASK_IDS.join(', ')

/** A property name as a JSON pointer segment (RFC 6901: "~" → "~0", "/" → "~1"). */
function segment(name: string): string {
  return name.replaceAll('~', '~0').replaceAll('/', '~1')
}

/** Turns one ajv error into a JSON pointer, a sentence and a fix. */
function explain(e: ErrorObject, kind: TemplateFileKind): { key: string; message: string; fix: string } {
  const path = e.instancePath
  const underTemplates = path === '/templates'
  switch (e.keyword) {
    case 'required': {
      const missing = String(e.params.missingProperty)
      const key = `${path}/${segment(missing)}`
      return underTemplates
        ? {
            key,
            message: `no template for task "${missing}"`,
            fix: `add "${missing}" under "templates"; a set covers all eight tasks (${TASK_LIST})`,
          }
        : { key, message: `missing "${missing}"`, fix: 'a template file is {"templates": {"<task>": ...}}' }
    }
    case 'additionalProperties': {
      const extra = String(e.params.additionalProperty)
      const key = `${path}/${segment(extra)}`
      return underTemplates
        ? {
            key,
            message: `"${extra}" is not a CoIN task`,
            fix: `remove it or rename it to one of: ${TASK_LIST}`,
          }
        : { key, message: `unknown key "${extra}"`, fix: 'only "templates" and "_source" are allowed here' }
    }
    case 'type':
      return {
        key: path || '/',
        message: `must be ${e.params.type === 'array' ? 'a list' : `a ${e.params.type}`}`,
        fix:
          kind === 'paraphrase' && /^\/templates\/[^/]+$/.test(path)
            ? `give this task a list of ${PARAPHRASE_COUNT} instruction strings`
            : 'write the instruction as one string',
      }
    case 'pattern':
      return path.startsWith('/templates/grounding')
        ? {
            key: path,
            message: 'a Grounding instruction must end with ": {ref}" and have no other colon or brace',
            fix: 'write it as "<instruction>: {ref}"; {ref} is replaced by the referring expression',
          }
        : {
            key: path,
            message: 'an instruction must be one non-empty line without braces',
            fix: 'remove line breaks and "{" "}"; only Grounding has a placeholder ({ref})',
          }
    case 'minItems':
    case 'maxItems':
      return {
        key: path,
        message: `must list exactly ${PARAPHRASE_COUNT} paraphrases`,
        fix: `give ${PARAPHRASE_COUNT} instructions; paraphrase-k picks the k-th`,
      }
    case 'uniqueItems': {
      const [first, second] = [Number(e.params.i), Number(e.params.j)].sort((a, b) => a - b) as [
        number,
        number,
      ]
      return {
        key: path,
        message: `paraphrases ${first + 1} and ${second + 1} are the same`,
        fix: 'make every paraphrase different',
      }
    }
    default:
      return { key: path || '/', message: e.message ?? 'is invalid', fix: 'see datasets/templates/README.md' }
  }
}
