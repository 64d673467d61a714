/**
 * The up-to-date stamp: the Make-speed no-op. After a build in which every selected target ended
 * materialised under its current key, coin writes down, for that analysed graph (its graph-cache
 * key) and that selection, every stat those keys and outputs rest on: the input files and folders
 * each key digested (and command words that named no file), each output folder, file and out
 * state, each published copy. The next `coin build` of the same selection stats exactly those
 * paths (out states by their folders, which every atomic rewrite touches); if every signature still matches, no key can have changed and no output can be missing,
 * so every target is fresh, and coin says so without parsing the graph, the stat cache or the
 * out-state index, or computing a single key. Any difference, a missing or damaged stamp, or a
 * key that read a glob (whose matches can grow) takes the normal path, which writes a new stamp.
 */
import { createHash } from 'node:crypto'
import { type Stats, statSync } from 'node:fs'
import { dirname, join, sep } from 'node:path'
import { keepNewestJson, readCheckedJson, writeCheckedJson } from '../cache/atomic.ts'
import type { CacheLayout } from '../cache/layout.ts'
import type { Store } from '../cache/store.ts'
import { ABSENT, dirSig, outputFileSig, publishedSig } from '../fingerprint/watch.ts'
import type { KeyStats } from './planner.ts'

const FORMAT = 'coin-up-to-date-2'
const KEEP = 8

/**
 * Laid out for the no-op's speed: a 10k-target stamp watches ~24k paths, and building a signature
 * string per stat (number-to-string conversions) cost more than the stats. So the paths are one
 * array (relative to the project root where they lie inside it), their kinds one string, and the
 * stat fields each kind compares one flat array of numbers, compared as numbers.
 */
interface StampFile {
  format: typeof FORMAT
  graph: string
  /** The project root the relative paths are under. */
  root: string
  /** The selected ids, then every target of their closure: [id, key, published copies?]. */
  selected: string[]
  targets: [string, string, string[]?][]
  paths: string[]
  /** One signature kind per path (see fingerprint/watch.ts): i, d, o, p, or x (must not exist). */
  kinds: string
  /** The kinds' fields, in path order: i dev ino size mtime ctime; d ino mtime; o ino size mtime; p size mtime. */
  fields: number[]
}

/** How many numbers each kind of signature holds (its string is `kind:` and these, `:`-joined). */
const FIELDS: Record<string, number> = { i: 5, d: 2, o: 3, p: 2, [ABSENT]: 0 }

export interface UpToDate {
  selected: string[]
  targets: { id: string; key: string; published?: string[] }[]
}

/** Where the stamp of `graphKey` and this selection (the command line's target patterns) lives. */
export function stampFile(layout: CacheLayout, graphKey: string, patterns: readonly string[]): string {
  const h = createHash('sha256')
    .update(JSON.stringify([graphKey, patterns]))
    .digest('hex')
    .slice(0, 32)
  return join(layout.root, 'stamps', `${h}.json`)
}

/** The stamp, if it exists, is this graph's and project's, and every signature in it still holds. */
export function checkStamp(file: string, graphKey: string, root: string): UpToDate | undefined {
  const data = readCheckedJson<StampFile>(file)
  if (data?.format !== FORMAT || data.graph !== graphKey || data.root !== root) return undefined
  const { paths, kinds, fields: n } = data
  if (
    !Array.isArray(paths) ||
    !Array.isArray(n) ||
    typeof kinds !== 'string' ||
    kinds.length !== paths.length
  )
    return undefined
  const prefix = root + sep
  let j = 0
  try {
    for (let i = 0; i < paths.length; i++) {
      const p = paths[i]!
      const st = statSync(p.startsWith(sep) ? p : prefix + p, { throwIfNoEntry: false }) as Stats | undefined
      const kind = kinds[i]
      if (kind === ABSENT) {
        if (st) return undefined
        continue
      }
      if (!st) return undefined
      switch (kind) {
        case 'i':
          if (st.dev !== n[j] || st.ino !== n[j + 1] || st.size !== n[j + 2]) return undefined
          if (st.mtimeMs !== n[j + 3] || st.ctimeMs !== n[j + 4]) return undefined
          j += 5
          break
        case 'd':
          if (!st.isDirectory() || st.ino !== n[j] || st.mtimeMs !== n[j + 1]) return undefined
          j += 2
          break
        case 'o':
          if (st.ino !== n[j] || st.size !== n[j + 1] || st.mtimeMs !== n[j + 2]) return undefined
          j += 3
          break
        case 'p':
          if (st.size !== n[j] || st.mtimeMs !== n[j + 1]) return undefined
          j += 2
          break
        default:
          return undefined
      }
    }
    if (j !== n.length) return undefined
    return {
      selected: data.selected,
      targets: data.targets.map(([id, key, published]) => (published ? { id, key, published } : { id, key })),
    }
  } catch {
    return undefined
  }
}

/**
 * Writes the stamp after a successful build of `ids` (a closure, in order), from the fingerprints
 * the build computed. Writes nothing when some key read a glob, a target's materialised output is
 * not under the key this build computed (another process moved it on), or one path was seen with
 * two different stats during the build (it changed meanwhile).
 */
export function writeStamp(
  file: string,
  graphKey: string,
  o: {
    selected: readonly string[]
    ids: readonly string[]
    fingerprints: ReadonlyMap<string, KeyStats>
    store: Store
    layout: CacheLayout
    root: string
  },
): void {
  const watch = new Map<string, string>()
  // False when the path was seen with another stat during this build (it changed meanwhile).
  const add = (path: string, sig: string): boolean => {
    const seen = watch.get(path)
    watch.set(path, sig)
    return seen === undefined || seen === sig
  }
  const targets: StampFile['targets'] = []
  for (const id of o.ids) {
    const fp = o.fingerprints.get(id)
    if (!fp?.watch) return
    const current = o.store.outStateWithStat(id)
    if (!current || current.state.key !== fp.key) return
    const { state } = current
    const outDir = o.layout.outDir(id)
    const stateDir = dirname(o.layout.outState(id))
    const pub = state.published
    const sigs: [string, string][] = [
      ...fp.watch,
      // Out states are replaced by rename (atomic writes), so their folder's mtime moves whenever
      // one is written or deleted: one stat per folder instead of one per target.
      [stateDir, dirSig(statSync(stateDir))],
      ...state.dirs.map((d): [string, string] => [join(outDir, d.path), dirSig(d)]),
      ...state.files.map((f): [string, string] => [join(outDir, f.path), outputFileSig(f)]),
      ...(pub?.files ?? []).map((f): [string, string] => [join(o.root, pub!.dir, f.path), publishedSig(f)]),
    ]
    for (const [path, sig] of sigs) if (!add(path, sig)) return
    targets.push(pub ? [id, fp.key, state.files.map((f) => join(pub.dir, f.path))] : [id, fp.key])
  }
  const prefix = o.root + sep
  const paths: string[] = []
  const fields: number[] = []
  let kinds = ''
  for (const [path, sig] of watch) {
    const kind = sig[0]!
    const values = sig === ABSENT ? [] : sig.slice(2).split(':').map(Number)
    // A signature this format cannot hold (a new kind): no stamp, so the next build plans.
    if (FIELDS[kind] !== values.length || values.some((v) => Number.isNaN(v))) return
    paths.push(path.startsWith(prefix) ? path.slice(prefix.length) : path)
    kinds += kind
    fields.push(...values)
  }
  const data: StampFile = {
    format: FORMAT,
    graph: graphKey,
    root: o.root,
    selected: [...o.selected],
    targets,
    paths,
    kinds,
    fields,
  }
  writeCheckedJson(file, data)
  keepNewestJson(dirname(file), KEEP)
}
