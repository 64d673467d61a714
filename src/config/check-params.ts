/**
 * A target's params against its rule's declaration, when the target is declared (at load): the
 * rule's `params` (an example value per param: its kind is the param's kind) and/or its
 * `paramSchema` (a JSON Schema). TypeScript checks the same in an editor and in `coin check`; this
 * catches a Coinfile loaded without type-checking, `as any`, or params computed at run time, with
 * the target's file and line instead of a wrong key or a crash inside the rule.
 */
import { createRequire } from 'node:module'
import type { ErrorObject, ValidateFunction } from 'ajv'
import { UserError } from '../errors.ts'
import type { SourceSite } from './site.ts'
import { didYouMean } from './suggest.ts'

type Site = SourceSite | undefined
type Where = Site | (() => Site)

export interface ParamDeclaration {
  params?: unknown
  paramSchema?: Record<string, unknown>
}

const isPlainObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x)

/** The kind of a value, as a declaration names it. */
function kindName(x: unknown): string {
  if (x === null) return 'null'
  if (Array.isArray(x)) return 'list'
  if (typeof x === 'object') return 'object'
  return typeof x
}

/** The value as the message shows it (short). */
function given(x: unknown): string {
  if (x === undefined) return 'nothing'
  if (x === null) return 'null'
  if (Array.isArray(x)) return `a list (${JSON.stringify(x).slice(0, 40)})`
  if (typeof x === 'object') return 'an object'
  if (typeof x === 'string') return `the string ${JSON.stringify(x)}`
  return `the ${typeof x} ${String(x)}`
}

const an = (kind: string) => (/^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`)

function fail(where: Where, message: string, key: string, fix: string): never {
  const site = typeof where === 'function' ? where() : where
  throw new UserError({ message, file: site?.file, line: site?.line, key, fix })
}

/** Checks `params` of target `id` (a target of rule `rule`) against the rule's declaration. */
export function checkTargetParams(
  id: string,
  rule: string,
  params: unknown,
  decl: ParamDeclaration,
  where: Where,
): void {
  if (decl.params !== undefined) checkByExample(id, rule, params ?? {}, decl.params, 'params', where)
  if (decl.paramSchema !== undefined) checkBySchema(id, rule, params ?? {}, decl.paramSchema, where)
}

/**
 * The example's kind is the value's kind; an object's keys are the only keys allowed (a key the
 * target leaves out is not checked: the rule defaults it); a list's first element is the kind of
 * every element; null accepts anything.
 */
function checkByExample(
  id: string,
  rule: string,
  value: unknown,
  example: unknown,
  path: string,
  where: Where,
): void {
  if (example === null) return
  const want = kindName(example)
  if (kindName(value) !== want)
    fail(
      where,
      `target "${id}": ${path} must be ${an(want)}, got ${given(value)} (rule "${rule}" declares ${path.replace(/^params\.?/, '') || 'params'}: ${JSON.stringify(example)})`,
      `${id}.${path}`,
      `give ${path} ${an(want)} value, as rule "${rule}" declares`,
    )
  if (Array.isArray(example) && Array.isArray(value) && example.length > 0)
    for (const [i, v] of value.entries()) checkByExample(id, rule, v, example[0], `${path}[${i}]`, where)
  if (isPlainObject(example) && isPlainObject(value) && Object.keys(example).length > 0) {
    const known = Object.keys(example)
    for (const [k, v] of Object.entries(value)) {
      if (!known.includes(k))
        fail(
          where,
          `target "${id}": ${path} has an unknown param "${k}" for rule "${rule}".${didYouMean(k, known)}`,
          `${id}.${path}.${k}`,
          `rule "${rule}" takes ${path}: ${known.join(', ')}`,
        )
      checkByExample(id, rule, v, example[k], `${path}.${k}`, where)
    }
  }
}

// Loaded only when a rule declares a paramSchema: ajv costs ~35 ms of start-up.
let ajv: { compile(schema: object): ValidateFunction } | undefined
const compiled = new WeakMap<object, ValidateFunction>()

function validatorOf(schema: Record<string, unknown>): ValidateFunction {
  let v = compiled.get(schema)
  if (!v) {
    if (!ajv) {
      const AjvModule = createRequire(import.meta.url)('ajv') as { default: typeof import('ajv').default }
      ajv = new AjvModule.default({ allErrors: true, strict: false })
    }
    v = ajv.compile(schema)
    compiled.set(schema, v)
  }
  return v
}

/** Compiles a rule's paramSchema when the rule is declared (a broken schema points at the rule). */
export function checkParamSchema(rule: string, schema: Record<string, unknown>, where: Where): void {
  try {
    validatorOf(schema)
  } catch (err) {
    fail(
      where,
      `rule "${rule}": paramSchema is not a valid JSON Schema: ${(err as Error).message}`,
      `${rule}.paramSchema`,
      "write a JSON Schema, e.g. { type: 'object', properties: { lr: { type: 'number' } } }",
    )
  }
}

function checkBySchema(
  id: string,
  rule: string,
  params: unknown,
  schema: Record<string, unknown>,
  where: Where,
): void {
  const validate = validatorOf(schema)
  if (validate(params)) return
  const e = (validate.errors ?? [])[0] as ErrorObject | undefined
  const segments = (e?.instancePath ?? '')
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
  let value: unknown = params
  for (const s of segments) value = (value as Record<string, unknown> | undefined)?.[s]
  let path = ['params', ...segments].join('.')
  let problem = `${e?.message ?? 'is invalid'}, got ${given(value)}`
  let fix = `see rule "${rule}"'s paramSchema`
  if (e?.keyword === 'additionalProperties') {
    const extra = String((e.params as { additionalProperty: string }).additionalProperty)
    const here = schemaAt(schema, segments)
    const known = isPlainObject(here?.properties) ? Object.keys(here.properties) : []
    path = `${path}.${extra}`
    problem = `is not a param of rule "${rule}".${didYouMean(extra, known)}`
    if (known.length) fix = `rule "${rule}" takes: ${known.join(', ')}`
  } else if (e?.keyword === 'required') {
    const missing = String((e.params as { missingProperty: string }).missingProperty)
    path = `${path}.${missing}`
    problem = `is required by rule "${rule}"`
  }
  fail(where, `target "${id}": ${path} ${problem}`, `${id}.${path}`, fix)
}

/** The sub-schema of an object path through `properties` (enough to name the known keys). */
function schemaAt(schema: Record<string, unknown>, segments: string[]): Record<string, unknown> | undefined {
  let s: unknown = schema
  for (const seg of segments) {
    if (!isPlainObject(s) || !isPlainObject(s.properties)) return undefined
    s = s.properties[seg]
  }
  return isPlainObject(s) ? s : undefined
}
