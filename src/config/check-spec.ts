/**
 * Checks what a Coinfile passes to `rule()`, `shell()`, a rule's target call and
 * `defineCoinfile()` while it loads: unknown keys (with "did you mean"), values of the wrong kind,
 * and plain strings where an input ref belongs. TypeScript catches these in an editor; a Coinfile
 * run without type-checking (or with `as any`) must still fail with the file and line, not build
 * with the mistake ignored or crash later with a stack trace.
 */
import { UserError } from '../errors.ts'
import { SLURM_SETTING_KEYS } from '../exec/slurm/settings.ts'
import { checkParamSchema } from './check-params.ts'
import type { SourceSite } from './site.ts'
import { didYouMean } from './suggest.ts'

type Site = SourceSite | undefined
type Where = Site | (() => Site)

const RULE_KEYS = [
  'name',
  'version',
  'run',
  'params',
  'paramSchema',
  'identitySource',
  'uses',
  'commandWords',
] as const
export const SHELL_KEYS = ['name', 'version', 'command', 'uses', 'params', 'paramSchema'] as const
const TARGET_KEYS = ['inputs', 'params', 'resources', 'publish', 'env', 'executor', 'slurm'] as const
const RESOURCE_KEYS = ['cpu', 'gpu', 'memGB'] as const
const COINFILE_KEYS = ['params', 'paramSchema', 'targets', 'executor', 'slurm'] as const
const INPUT_FIELD = { file: 'path', dir: 'path', glob: 'pattern', target: 'id' } as const

function fail(where: Where, message: string, key: string, fix: string): never {
  const site = typeof where === 'function' ? where() : where
  throw new UserError({ message, file: site?.file, line: site?.line, key, fix })
}

const isPlainObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x)

function kind(x: unknown): string {
  if (x === null) return 'null'
  if (Array.isArray(x)) return 'an array'
  if (typeof x === 'string') return `the string ${JSON.stringify(x)}`
  if (typeof x === 'object') return 'an object'
  return `${typeof x === 'function' ? 'a function' : `the ${typeof x} ${String(x)}`}`
}

function checkKeys(obj: Record<string, unknown>, known: readonly string[], what: string, where: Where): void {
  for (const key of Object.keys(obj)) {
    if (known.includes(key)) continue
    fail(
      where,
      `${what} has an unknown option "${key}".${didYouMean(key, known)}`,
      key,
      `the options are: ${known.join(', ')}`,
    )
  }
}

function checkObject(
  x: unknown,
  what: string,
  where: Where,
  key: string,
  example: string,
): Record<string, unknown> {
  if (!isPlainObject(x))
    fail(where, `${what} must be an object, got ${kind(x)}`, key, `write it as ${example}`)
  return x
}

/** `rule({...})` and `shell({...})`: a name, the function, optional version. */
export function checkRuleSpec(spec: unknown, where: Where, api: 'rule' | 'shell'): void {
  const obj = checkObject(
    spec,
    `${api}(...)`,
    where,
    api,
    `${api}({ name: 'train', ${api === 'rule' ? 'run(ctx) {...}' : 'command: (ctx) => sh`...`'} })`,
  )
  checkKeys(obj, api === 'rule' ? RULE_KEYS : SHELL_KEYS, `${api}(...)`, where)
  if (typeof obj.name !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9_.:@+-]*$/.test(obj.name))
    fail(
      where,
      `${api}(...) needs a name: a word such as "train", got ${kind(obj.name)}`,
      'name',
      'rule names identify cached work: letters, digits and _ . : @ + -',
    )
  const fn = api === 'rule' ? 'run' : 'command'
  if (typeof obj[fn] !== 'function')
    fail(
      where,
      `${api} "${obj.name}": ${fn} must be a function, got ${kind(obj[fn])}`,
      `${obj.name}.${fn}`,
      api === 'rule'
        ? 'write run({ inputs, params, out }) { ... }'
        : // biome-ignore lint/suspicious/noTemplateCurlyInString: the fix quotes a template literal
          'write command: ({ inputs, out }) => sh`cmd ${inputs.x} > ${out}/y`',
    )
  if (obj.uses !== undefined && (!Array.isArray(obj.uses) || obj.uses.some((u) => typeof u !== 'string')))
    fail(
      where,
      `${api} "${obj.name}": uses must be a list of project paths, got ${kind(obj.uses)}`,
      `${obj.name}.uses`,
      "write uses: ['scripts/train.py']",
    )
  if (obj.params !== undefined)
    checkObject(
      obj.params,
      `${api} "${obj.name}": params`,
      where,
      `${obj.name}.params`,
      '{ lr: 0.001, steps: 1 }',
    )
  if (obj.paramSchema !== undefined)
    checkParamSchema(
      String(obj.name),
      checkObject(
        obj.paramSchema,
        `${api} "${obj.name}": paramSchema`,
        where,
        `${obj.name}.paramSchema`,
        "{ type: 'object', properties: {...} } (a JSON Schema)",
      ),
      where,
    )
  if (obj.version !== undefined && typeof obj.version !== 'string')
    fail(
      where,
      `${api} "${obj.name}": version must be a string, got ${kind(obj.version)}`,
      `${obj.name}.version`,
      `write version: '${String(obj.version)}'`,
    )
}

/** The spec of a target: `myRule('id', { inputs, params, resources, publish, env })`. */
export function checkTargetSpec(id: string, spec: unknown, where: Where): void {
  if (spec === undefined) return
  const what = `target "${id}"`
  const obj = checkObject(
    spec,
    `the options of ${what}`,
    where,
    id,
    `myRule('${id}', { inputs: {...}, params: {...} })`,
  )
  checkKeys(obj, TARGET_KEYS, what, where)
  if (obj.inputs !== undefined) {
    const inputs = checkObject(obj.inputs, `${what}: inputs`, where, `${id}.inputs`, "{ src: file('a.txt') }")
    for (const [name, ref] of Object.entries(inputs)) checkInput(id, name, ref, where)
  }
  if (obj.resources !== undefined) {
    const res = checkObject(
      obj.resources,
      `${what}: resources`,
      where,
      `${id}.resources`,
      '{ cpu: 4, gpu: 1, memGB: 16 }',
    )
    checkKeys(res, RESOURCE_KEYS, `${what}: resources`, where)
    for (const k of RESOURCE_KEYS) {
      const v = res[k]
      if (v === undefined) continue
      const integer = k !== 'memGB'
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (integer && !Number.isInteger(v)))
        fail(
          where,
          `${what}: resources.${k} must be a non-negative ${integer ? 'integer' : 'number'}, got ${kind(v)}`,
          `${id}.resources.${k}`,
          `e.g. resources: { ${k}: ${k === 'memGB' ? 16 : 1} }`,
        )
    }
  }
  if (obj.publish !== undefined) {
    const p = obj.publish
    if (typeof p !== 'string' || p === '' || p.startsWith('/') || p.split(/[\\/]/).includes('..'))
      fail(
        where,
        `${what}: publish must be a folder inside the project such as 'results', got ${kind(p)}`,
        `${id}.publish`,
        "write publish: 'results' (relative to the Coinfile's folder)",
      )
  }
  checkExecutor(obj, what, where, id)
  if (obj.env !== undefined) {
    const env = checkObject(obj.env, `${what}: env`, where, `${id}.env`, "{ CUDA: '12.4' }")
    for (const [k, v] of Object.entries(env))
      if (typeof v !== 'string')
        fail(
          where,
          `${what}: env.${k} must be a string, got ${kind(v)}`,
          `${id}.env.${k}`,
          `write env: { ${k}: '${String(v)}' }`,
        )
  }
}

function checkInput(id: string, name: string, ref: unknown, where: Where): void {
  const key = `${id}.inputs.${name}`
  if (typeof ref === 'string') {
    const helper = /[*?[{]/.test(ref) ? 'glob' : ref.endsWith('/') ? 'dir' : 'file'
    fail(
      where,
      `target "${id}": input "${name}" is the plain string ${JSON.stringify(ref)}, not an input`,
      key,
      `write ${name}: ${helper}(${JSON.stringify(ref)}) (file, dir and glob are content-hashed; output('some/target') reads another target)`,
    )
  }
  if (isPlainObject(ref)) {
    if (ref.kind === 'target' && typeof ref.id === 'string' && 'rule' in ref) return // a TargetDecl
    const field = INPUT_FIELD[ref.kind as keyof typeof INPUT_FIELD]
    if (field && typeof ref[field] === 'string' && ref[field] !== '') return
  }
  fail(
    where,
    `target "${id}": input "${name}" is ${kind(ref)}, not an input`,
    key,
    "use file('a.txt'), dir('data/'), glob('data/*.json'), output('other/target') or a declared target",
  )
}

/** `defineCoinfile({ params, paramSchema, targets })`. */
export function checkCoinfileSpec(spec: unknown, where: Where): void {
  const obj = checkObject(
    spec,
    'defineCoinfile(...)',
    where,
    'defineCoinfile',
    'defineCoinfile({ params: {...}, targets: (p) => [...] })',
  )
  checkKeys(obj, COINFILE_KEYS, 'defineCoinfile(...)', where)
  if (typeof obj.targets !== 'function')
    fail(
      where,
      `defineCoinfile(...): targets must be a function of the params, got ${kind(obj.targets)}`,
      'targets',
      'write targets: (p) => [myRule("a/b", {...}), ...]',
    )
  if (obj.params !== undefined)
    checkObject(obj.params, 'defineCoinfile(...): params', where, 'params', '{ seed: 0, lr: 0.01 }')
  if (obj.paramSchema !== undefined)
    checkObject(
      obj.paramSchema,
      'defineCoinfile(...): paramSchema',
      where,
      'paramSchema',
      "{ type: 'object', ... } (a JSON Schema)",
    )
}

/** `executor: 'local' | 'slurm'` and the keys of `slurm: {...}` (their values are the Slurm executor's to check). */
function checkExecutor(obj: Record<string, unknown>, what: string, where: Where, key: string): void {
  if (obj.executor !== undefined && obj.executor !== 'local' && obj.executor !== 'slurm')
    fail(
      where,
      `${what}: executor must be 'local' or 'slurm', got ${kind(obj.executor)}`,
      `${key}.executor`,
      "write executor: 'slurm'",
    )
  if (obj.slurm !== undefined) {
    const slurm = checkObject(
      obj.slurm,
      `${what}: slurm`,
      where,
      `${key}.slurm`,
      "{ partition: 'gpu', time: '2:00:00' }",
    )
    checkKeys(slurm, SLURM_SETTING_KEYS, `${what}: slurm`, where)
  }
}
