/**
 * Coinfile params: the defaults declared in `defineCoinfile({ params })`, overridden by
 * `--set a.b.c=value`. An override replaces the value before `targets(params)` runs, so it changes
 * keys exactly as editing the file would. Values are JSON; each is checked against the type of the
 * default it replaces and, when given, against the Coinfile's `paramSchema`.
 */
import { createRequire } from 'node:module'
import { UserError } from '../errors.ts'
import type { Json } from './define.ts'
import { didYouMean } from './suggest.ts'

export interface ParamEntry {
  path: string
  value: Json
  /** The default value in the Coinfile (differs from `value` when overridden). */
  default: Json
  overridden: boolean
  /** 1-based line of the key in the Coinfile, when found. */
  line: number | undefined
}

type Obj = { [k: string]: Json }

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Leaves of the params tree (arrays are leaves: they are replaced whole). */
export function flattenParams(params: Obj, prefix = ''): { path: string; value: Json }[] {
  const out: { path: string; value: Json }[] = []
  for (const [k, v] of Object.entries(params)) {
    const path = prefix ? `${prefix}.${k}` : k
    if (isObj(v) && Object.keys(v).length > 0) out.push(...flattenParams(v, path))
    else out.push({ path, value: v })
  }
  return out
}

export function parseSet(arg: string): { path: string; raw: string } {
  const eq = arg.indexOf('=')
  if (eq <= 0)
    throw new UserError({
      message: `--set ${arg}: expected path.to.param=value`,
      key: arg,
      fix: 'write it as --set train.lr=0.001 (values are JSON; bare words are strings)',
    })
  return { path: arg.slice(0, eq).trim(), raw: arg.slice(eq + 1) }
}

function typeOf(v: Json): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'array'
  return typeof v
}

/** Applies `--set` overrides to a deep copy of the defaults; throws a UserError per bad override. */
export function resolveParams(
  defaults: Obj,
  sets: readonly string[],
  opts: { file: string; source?: string; schema?: Record<string, unknown> },
): { params: Obj; entries: ParamEntry[] } {
  const params = structuredClone(defaults)
  const leaves = new Map(flattenParams(defaults).map((e) => [e.path, e.value]))
  const overridden = new Set<string>()
  for (const arg of sets) {
    const { path, raw } = parseSet(arg)
    const line = opts.source ? findParamLine(opts.source, path) : undefined
    if (!leaves.has(path))
      throw new UserError({
        message: `--set ${path}: no such param.${didYouMean(path, leaves.keys())}`,
        file: opts.file,
        key: path,
        fix: 'run `coin params` to list every param and its path',
      })
    const def = leaves.get(path)!
    let value: Json
    try {
      value = JSON.parse(raw) as Json
    } catch {
      value = raw
    }
    if (typeof def === 'string' && typeof value !== 'string') value = raw
    // A list param takes a comma-separated list too: --set data.tasks=scienceqa,gqa
    if (Array.isArray(def) && (typeof value !== 'object' || value === null)) value = listFromCsv(raw, def)
    if (typeOf(value) !== typeOf(def) && def !== null)
      throw new UserError({
        message: `--set ${path}=${raw}: expected a ${typeOf(def)} (the default is ${JSON.stringify(def)}), got a ${typeOf(value)}`,
        file: opts.file,
        line,
        key: path,
        fix: `pass a ${typeOf(def)}, e.g. --set ${path}=${JSON.stringify(def)}`,
      })
    const element = Array.isArray(def) ? elementKind(def) : undefined
    const wrong = element && (value as Json[]).find((v) => typeOf(v) !== element)
    if (wrong !== undefined && element)
      throw new UserError({
        message: `--set ${path}=${raw}: expected a list of ${element}s (the default is ${JSON.stringify(def)}), got ${JSON.stringify(wrong)}`,
        file: opts.file,
        line,
        key: path,
        fix: `pass ${element}s, e.g. --set ${path}=${JSON.stringify(def)}`,
      })
    setPath(params, path, value)
    overridden.add(path)
  }
  if (opts.schema) validateSchema(params, opts.schema, opts)
  const entries = flattenParams(params).map(({ path, value }) => ({
    path,
    value,
    default: leaves.get(path) ?? null,
    overridden: overridden.has(path),
    line: opts.source ? findParamLine(opts.source, path) : undefined,
  }))
  return { params, entries }
}

/** The kind every element of a default list shares, if they share one. */
function elementKind(def: Json[]): string | undefined {
  const kinds = new Set(def.map(typeOf))
  return kinds.size === 1 ? [...kinds][0] : undefined
}

function listFromCsv(raw: string, def: Json[]): Json[] {
  if (raw.trim() === '') return []
  const items = raw.split(',').map((x) => x.trim())
  if (elementKind(def) !== 'number') return items
  return items.map((x) => (x !== '' && Number.isFinite(Number(x)) ? Number(x) : x))
}

function setPath(obj: Obj, path: string, value: Json): void {
  const keys = path.split('.')
  let cur: Obj = obj
  for (const k of keys.slice(0, -1)) cur = cur[k] as Obj
  cur[keys.at(-1)!] = value
}

function validateSchema(
  params: Obj,
  schema: Record<string, unknown>,
  opts: { file: string; source?: string },
) {
  // Loaded only when a Coinfile declares a paramSchema: ajv costs ~35 ms of start-up.
  const AjvModule = createRequire(import.meta.url)('ajv') as { default: typeof import('ajv').default }
  const ajv = new AjvModule.default({ allErrors: true, strict: false })
  const validate = ajv.compile(schema)
  if (validate(params)) return
  const err = validate.errors![0]!
  const path = err.instancePath.slice(1).replace(/\//g, '.')
  throw new UserError({
    message: `param ${path || '(root)'} ${err.message ?? 'is invalid'}`,
    file: opts.file,
    line: opts.source && path ? findParamLine(opts.source, path) : undefined,
    key: path,
    fix: `make ${path} satisfy the Coinfile's paramSchema (${JSON.stringify(err.params)})`,
  })
}

/**
 * The line where `a.b.c` is declared: find `params`, then each key in turn after the previous one.
 * A heuristic over the source text (good for object literals), used only for messages.
 */
export function findParamLine(source: string, path: string): number | undefined {
  let pos = source.search(/\bparams\s*:/)
  if (pos < 0) return undefined
  for (const key of path.split('.')) {
    const re = new RegExp(`(^|[\\s{,])(['"]?)${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\2\\s*:`, 'gm')
    re.lastIndex = pos
    const m = re.exec(source)
    if (!m) return undefined
    pos = m.index + m[0].length
  }
  return source.slice(0, pos).split('\n').length
}
