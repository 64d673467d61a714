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
import { dirname, join } from 'node:path'
import { keepNewestJson, readCheckedJson, writeCheckedJson } from '../cache/atomic.ts'
import type { CacheLayout } from '../cache/layout.ts'
import type { Store } from '../cache/store.ts'
import { currentSig, dirSig, outputFileSig, publishedSig } from '../fingerprint/watch.ts'
import type { Fingerprint } from './planner.ts'

const FORMAT = 'coin-up-to-date-1'
const KEEP = 8

interface StampFile {
  format: typeof FORMAT
  graph: string
  /** The selected ids, then every target of their closure: [id, key, published copies?]. */
  selected: string[]
  targets: [string, string, string[]?][]
  /** [path, signature] (see fingerprint/watch.ts). */
  watch: [string, string][]
}

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

/** The stamp, if it exists, is this graph's and every signature in it still holds. */
export function checkStamp(file: string, graphKey: string): UpToDate | undefined {
  const data = readCheckedJson<StampFile>(file)
  if (data?.format !== FORMAT || data.graph !== graphKey || !Array.isArray(data.watch)) return undefined
  try {
    for (const [path, sig] of data.watch) {
      const st = statSync(path, { throwIfNoEntry: false }) as Stats | undefined
      if (currentSig(sig, st) !== sig) return undefined
    }
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
    fingerprints: ReadonlyMap<string, Fingerprint>
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
  const data: StampFile = {
    format: FORMAT,
    graph: graphKey,
    selected: [...o.selected],
    targets,
    watch: [...watch],
  }
  writeCheckedJson(file, data)
  keepNewestJson(dirname(file), KEEP)
}
