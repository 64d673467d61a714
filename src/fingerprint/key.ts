/**
 * Cache keys. A key is the XXH3-128 of the canonical JSON of a `KeyData`: everything that can
 * change a target's output. It deliberately leaves out the target's own id and its upstream *keys*:
 * upstream targets enter through the digest of their *output*, so an upstream rebuild that produces
 * identical bytes stops the cascade (early cutoff), and two targets that do the same work with the
 * same inputs (a shared prefix of two task orders) share one key.
 *
 * The format is versioned (`KEY_FORMAT`) and pinned by a golden test: changing anything here
 * changes every key, which must be a deliberate decision.
 */
import { canonicalJson, type Json } from '../hash/canonical-json.ts'
import { type Digest, hashBytes } from '../hash/xxh.ts'

// v2: rule identities are code closures (module graph), command rules' files are inputs.
export const KEY_FORMAT = 'coin-key-v2'

export type InputDigest =
  | { file: string; digest: Digest }
  | { glob: string; files: [path: string, digest: Digest][] }
  | { dir: string; digest: Digest }
  /** An upstream target's output, by content only (see above). */
  | { output: Digest }

export interface KeyData {
  format: typeof KEY_FORMAT
  rule: { name: string; identity: Digest }
  params: Json
  inputs: Record<string, InputDigest>
  env: Record<string, string>
}

export async function computeKey(data: KeyData): Promise<Digest> {
  return hashBytes(canonicalJson(data))
}

/** Why two key datas differ: the first differing component, in words, for `coin why`. */
export function explainDifference(
  before: KeyData,
  after: KeyData,
  /** Names an input for messages (e.g. the upstream target id behind an `output(...)` input). */
  label: (input: string) => string = (input) => input,
): string[] {
  const reasons: string[] = []
  if (before.format !== after.format) return [`the key format changed (${before.format} → ${after.format})`]
  if (before.rule.name !== after.rule.name)
    reasons.push(`rule changed: ${before.rule.name} → ${after.rule.name}`)
  else if (before.rule.identity !== after.rule.identity)
    reasons.push(`rule code changed (${after.rule.name})`)
  reasons.push(...diffJson(before.params, after.params, 'param '))
  const names = new Set([...Object.keys(before.inputs), ...Object.keys(after.inputs)])
  for (const name of [...names].sort()) {
    const a = before.inputs[name]
    const b = after.inputs[name]
    if (!a)
      reasons.push(name.startsWith('uses:') ? `the command now uses ${name.slice(5)}` : `input ${name} added`)
    else if (!b)
      reasons.push(
        name.startsWith('uses:') ? `the command no longer uses ${name.slice(5)}` : `input ${name} removed`,
      )
    else if (canonicalJson(a) !== canonicalJson(b)) reasons.push(describeInputChange(label(name), a, b))
  }
  for (const k of new Set([...Object.keys(before.env), ...Object.keys(after.env)]))
    if (before.env[k] !== after.env[k])
      reasons.push(`env ${k} changed: ${before.env[k] ?? '(unset)'} → ${after.env[k] ?? '(unset)'}`)
  return reasons
}

function describeInputChange(name: string, a: InputDigest, b: InputDigest): string {
  if ('output' in a && 'output' in b) return `upstream output changed: ${name}`
  if (name.startsWith('uses:') && ('file' in b || 'dir' in b))
    return `file ${name.slice(5)} used by the command changed`
  if ('file' in a && 'file' in b)
    return a.file === b.file
      ? `input file ${b.file} changed`
      : `input ${name} now reads ${b.file} (was ${a.file})`
  if ('dir' in a && 'dir' in b) return `input directory ${b.dir} changed`
  if ('glob' in a && 'glob' in b) {
    const before = new Map(a.files)
    const after = new Map(b.files)
    for (const [p, d] of after) {
      if (!before.has(p)) return `input ${name}: new file ${p} matches ${b.glob}`
      if (before.get(p) !== d) return `input file ${p} changed (glob ${b.glob})`
    }
    for (const p of before.keys())
      if (!after.has(p)) return `input ${name}: file ${p} no longer matches ${b.glob}`
  }
  return `input ${name} changed`
}

/** Leaf-level differences between two JSON values, as `param a.b changed 1 → 2`. */
export function diffJson(a: Json | undefined, b: Json | undefined, prefix: string, path = ''): string[] {
  const isObj = (v: unknown): v is Record<string, Json> =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
  if (isObj(a) && isObj(b)) {
    const out: string[] = []
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort())
      out.push(...diffJson(a[k], b[k], prefix, path ? `${path}.${k}` : k))
    return out
  }
  if (canonicalJson(a ?? null) === canonicalJson(b ?? null)) return []
  const show = (v: Json | undefined) => (v === undefined ? '(unset)' : JSON.stringify(v))
  return [`${prefix}${path || '(all)'} changed ${show(a)} → ${show(b)}`]
}
