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
import { readFileSync, type Stats, statSync } from 'node:fs'
import { dirname, join, sep } from 'node:path'
import { keepNewest, writeBytesAtomic } from '../cache/atomic.ts'
import type { CacheLayout } from '../cache/layout.ts'
import type { Store } from '../cache/store.ts'
import { ABSENT } from '../fingerprint/watch.ts'
import type { KeyStats } from './planner.ts'

const KEEP = 8

/**
 * Laid out for the no-op's speed: a 10k-target stamp watches ~24k paths. Building a signature
 * string per stat (number-to-string conversions) cost more than the stats, and parsing the stamp
 * as JSON (2.2 MB, 25–30 ms at 10k targets) was the biggest cost after the stats. So the file is
 * binary (see `encode`): the stat fields are float64s read in place, the ids, keys and paths one
 * NUL-separated text, and only the small rest JSON.
 */
interface Stamp {
  graph: string
  /** The project root the relative paths are under. */
  root: string
  /** The selected ids, then every target of their closure with its key and published copies. */
  selected: string[]
  ids: string[]
  keys: string[]
  /** Target index → its published copies (most targets publish nothing). */
  published: Record<number, string[]>
  /** Relative to the root where they lie inside it. */
  paths: string[]
  /** One signature kind per path (see fingerprint/watch.ts): i, d, o, p, or x (must not exist). */
  kinds: string
  /** The kinds' fields, in path order: i dev ino size mtime ctime; d ino mtime; o ino size mtime; p size mtime. */
  fields: Float64Array
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
  return join(layout.root, 'stamps', `${h}${STAMP_EXT}`)
}

/** The stamp, if it exists, is this graph's and project's, and every signature in it still holds. */
export function checkStamp(file: string, graphKey: string, root: string): UpToDate | undefined {
  const data = readStamp(file)
  if (data?.graph !== graphKey || data.root !== root) return undefined
  const { paths, kinds, fields: n } = data
  // Relative paths resolve against the working directory: run from the project root (the usual
  // case), each stat passes the stored path as it is, and the kernel walks fewer folders (at 10k
  // targets, 24k stats took ~20 ms less than with the root prefixed).
  const prefix = process.cwd() === root ? '' : root + sep
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
      targets: data.ids.map((id, i) => {
        const published = data.published[i]
        return published ? { id, key: data.keys[i]!, published } : { id, key: data.keys[i]! }
      }),
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
 *
 * It runs at the end of a build, when the heap is at its largest: the stat fields go straight into
 * one growing Float64Array and each path is stored once, relative, instead of a signature string
 * per path parsed back at the end (at 10k targets that round trip raised the peak RSS by ~20 MiB).
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
  const prefix = o.root + sep
  const rel = (path: string) => (path.startsWith(prefix) ? path.slice(prefix.length) : path)
  const w = new StampWriter()
  const ids: string[] = []
  const keys: string[] = []
  const published: Record<number, string[]> = {}
  for (const id of o.ids) {
    const fp = o.fingerprints.get(id)
    if (!fp?.watch) return
    const current = o.store.outStateWithStat(id)
    if (!current || current.state.key !== fp.key) return
    const { state } = current
    for (const [path, sig] of fp.watch) if (!w.addSig(rel(path), sig)) return
    // Out states are replaced by rename (atomic writes), so their folder's mtime moves whenever
    // one is written or deleted: one stat per folder instead of one per target.
    const stateDir = dirname(o.layout.outState(id))
    if (!w.has(rel(stateDir))) {
      const st = statSync(stateDir)
      w.add(rel(stateDir), 'd', st.ino, st.mtimeMs)
    }
    const outDir = rel(o.layout.outDir(id))
    for (const d of state.dirs) if (!w.add(join(outDir, d.path), 'd', d.ino, d.mtimeMs)) return
    for (const f of state.files) if (!w.add(join(outDir, f.path), 'o', f.ino, f.size, f.mtimeMs)) return
    const pub = state.published
    if (pub) {
      for (const f of pub.files)
        if (!w.add(rel(join(o.root, pub.dir, f.path)), 'p', f.size, f.mtimeMs)) return
      published[ids.length] = state.files.map((f) => join(pub.dir, f.path))
    }
    ids.push(id)
    keys.push(fp.key)
  }
  const bytes = encode({
    graph: graphKey,
    root: o.root,
    selected: [...o.selected],
    ids,
    keys,
    published,
    paths: w.paths,
    kinds: w.kinds(),
    fields: w.fields(),
  })
  if (!bytes) return
  writeBytesAtomic(file, bytes)
  keepNewest(dirname(file), STAMP_EXT, KEEP)
  keepNewest(dirname(file), '.json', 0) // stamps of an older coin (JSON) are never read again
}

/** The watched paths in first-seen order, each with its kind and fields. */
class StampWriter {
  readonly paths: string[] = []
  readonly #at = new Map<string, number>()
  /** Each path's kind, as its character code. */
  readonly #kinds: number[] = []
  /** Where each path's fields begin in `#values`. */
  readonly #starts: number[] = []
  #values = new Float64Array(1 << 12)
  #length = 0

  has(path: string): boolean {
    return this.#at.has(path)
  }

  /**
   * Records `path`; false when it was recorded before with another signature (it changed during
   * the build) or the numbers are not a signature of `kind`.
   */
  add(path: string, kind: string, ...values: number[]): boolean {
    if (FIELDS[kind] !== values.length || values.some((v) => Number.isNaN(v))) return false
    const seen = this.#at.get(path)
    if (seen !== undefined) {
      if (this.#kinds[seen] !== kind.charCodeAt(0)) return false
      const at = this.#starts[seen]!
      return values.every((v, i) => this.#values[at + i] === v)
    }
    this.#at.set(path, this.paths.length)
    this.paths.push(path)
    this.#kinds.push(kind.charCodeAt(0))
    this.#starts.push(this.#length)
    if (this.#length + values.length > this.#values.length) {
      const grown = new Float64Array(this.#values.length * 2)
      grown.set(this.#values)
      this.#values = grown
    }
    this.#values.set(values, this.#length)
    this.#length += values.length
    return true
  }

  /** A signature string of fingerprint/watch.ts: its kind, then its `:`-separated numbers. */
  addSig(path: string, sig: string): boolean {
    if (sig === ABSENT) return this.add(path, ABSENT)
    // A kind this format cannot hold (a new one): no stamp, so the next build plans.
    return this.add(path, sig[0]!, ...sig.slice(2).split(':').map(Number))
  }

  kinds(): string {
    return Buffer.from(this.#kinds).toString('latin1')
  }

  fields(): Float64Array {
    return this.#values.subarray(0, this.#length)
  }
}

const STAMP_EXT = '.stamp'
const MAGIC = 'coin-up-to-date-3\n'
const SEP = '\0'
// Where the parts of the file begin: the checksum after the magic line, the text's length after
// the checksum, then the text.
const SUM_AT = Buffer.byteLength(MAGIC)
const LENGTH_AT = SUM_AT + 32
const TEXT_AT = LENGTH_AT + 4

/**
 * `MAGIC`, the SHA-256 of the rest (32 bytes), the text's length (uint32 LE), the text (UTF-8: the
 * JSON of graph, root, selected, published and the counts, then the ids, keys and paths, each
 * NUL-separated, then the kinds), zero padding to 8 bytes, the fields as float64s in this machine's
 * byte order (a stamp never leaves its cache). Undefined when a name holds a NUL (no path or id
 * can; a stamp that cannot be written is not needed).
 */
function encode(s: Stamp): Buffer | undefined {
  const meta = { graph: s.graph, root: s.root, selected: s.selected, published: s.published }
  const lists = [...s.ids, ...s.keys, ...s.paths]
  if (lists.some((x) => x.includes(SEP)) || s.kinds.includes(SEP)) return undefined
  const counts = { targets: s.ids.length, paths: s.paths.length, fields: s.fields.length }
  const text = Buffer.from([JSON.stringify({ ...meta, counts }), ...lists, s.kinds].join(SEP))
  const fieldsAt = Math.ceil((TEXT_AT + text.length) / 8) * 8
  const out = Buffer.alloc(fieldsAt + s.fields.length * 8)
  out.write(MAGIC, 0)
  out.writeUInt32LE(text.length, LENGTH_AT)
  text.copy(out, TEXT_AT)
  new Float64Array(out.buffer, out.byteOffset + fieldsAt, s.fields.length).set(s.fields)
  createHash('sha256').update(out.subarray(LENGTH_AT)).digest().copy(out, SUM_AT)
  return out
}

/** What `encode` wrote, or undefined when missing, of another format, torn or altered. */
function readStamp(file: string): Stamp | undefined {
  let buf: Buffer
  try {
    buf = readFileSync(file)
  } catch {
    return undefined
  }
  if (buf.length < TEXT_AT || buf.toString('latin1', 0, SUM_AT) !== MAGIC) return undefined
  const sum = createHash('sha256').update(buf.subarray(LENGTH_AT)).digest()
  if (!sum.equals(buf.subarray(SUM_AT, LENGTH_AT))) return undefined
  const textEnd = TEXT_AT + buf.readUInt32LE(LENGTH_AT)
  if (textEnd > buf.length) return undefined
  const parts = buf.toString('utf8', TEXT_AT, textEnd).split(SEP)
  try {
    const meta = JSON.parse(parts[0]!) as Omit<Stamp, 'ids' | 'keys' | 'paths' | 'kinds' | 'fields'> & {
      counts: { targets: number; paths: number; fields: number }
    }
    const { targets, paths, fields } = meta.counts
    const fieldsAt = Math.ceil(textEnd / 8) * 8
    if (parts.length !== 2 + 2 * targets + paths || fieldsAt + fields * 8 !== buf.length) return undefined
    // A Float64Array view needs 8-byte alignment; a small file's buffer may be a slice of a pool.
    const at = buf.byteOffset + fieldsAt
    const values =
      at % 8 === 0
        ? new Float64Array(buf.buffer, at, fields)
        : new Float64Array(buf.buffer.slice(at, at + fields * 8))
    return {
      graph: meta.graph,
      root: meta.root,
      selected: meta.selected,
      published: meta.published,
      ids: parts.slice(1, 1 + targets),
      keys: parts.slice(1 + targets, 1 + 2 * targets),
      paths: parts.slice(1 + 2 * targets, 1 + 2 * targets + paths),
      kinds: parts[parts.length - 1]!,
      fields: values,
    }
  } catch {
    return undefined
  }
}
