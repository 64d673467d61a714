/**
 * The content-addressed store. Outputs are built in a staging directory; on success every file is
 * hashed once, moved into `objects/` by rename (or hard-linked there when the staged folder is then
 * renamed into `out/`), the manifest stored, and the action record written last. A process killed
 * at any point leaves either no record (the work is redone) or a complete one, never a record
 * pointing at missing bytes.
 */
import {
  chmodSync,
  copyFileSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmdirSync,
  rmSync,
  type Stats,
  statSync,
  unlinkSync,
} from 'node:fs'
import { rm, rmdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { KeyData } from '../fingerprint/key.ts'
import { canonicalJson } from '../hash/canonical-json.ts'
import type { StatCache } from '../hash/stat-cache.ts'
import { type Digest, hashBytes, hashFile } from '../hash/xxh.ts'
import { readJson, stagingTmpName, writeJsonAtomic } from './atomic.ts'
import { inDir } from './fs-ops.ts'
import type { CacheLayout } from './layout.ts'
import { lock, sweepLocks } from './lock.ts'
import { processAlive } from './process.ts'
import { outStateProblem, recordProblem } from './validate.ts'

export { processAlive } from './process.ts'

/**
 * A rule's output that the store will not take: a symbolic link (which could point anywhere,
 * including outside the project), a socket or a device. The target fails with this message.
 */
export class OutputRejected extends Error {
  readonly fix = 'write regular files only: copy the file (cp -L, copyFile) instead of linking it'
}

export interface ManifestEntry {
  path: string
  digest: Digest
  size: number
  executable: boolean
}

export interface ActionRecord {
  format: 1
  key: Digest
  keyData: KeyData
  /** The digest of the canonical manifest: the target's output identity (used downstream). */
  outputDigest: Digest
  files: ManifestEntry[]
  log: Digest | null
  rule: string
  /** The target id that produced it first (another id with the same key reuses it). */
  target: string
  startedAt: string
  durationMs: number
  executor: string
  host: string
}

/** What is materialised at `out/<id>.out`, with each file's stat when we linked it. */
export interface OutState {
  key: Digest
  outputDigest: Digest
  files: (ManifestEntry & { ino: number; mtimeMs: number; ctimeMs: number })[]
  /**
   * Every folder of the output ('' is its root) with its inode and mtime when we linked it: a file
   * added anywhere changes its folder's mtime, so extra files are caught by stat alone.
   */
  dirs: { path: string; ino: number; mtimeMs: number }[]
  published?: { dir: string; files: { path: string; size: number; mtimeMs: number }[] }
}

interface IndexEntry {
  ino: number
  mtimeMs: number
  size: number
  state: OutState
}

export class Store {
  /** Digests of the cache's own objects (used by commit and restore, never by a no-op). */
  readonly objectStat: StatCache

  constructor(
    readonly layout: CacheLayout,
    readonly stat: StatCache,
    objectStat?: StatCache,
  ) {
    this.objectStat = objectStat ?? stat
  }

  /** The record for `key`, if there is one and it is well formed (see validate.ts). */
  readRecord(key: Digest): ActionRecord | undefined {
    const r = readJson<ActionRecord>(this.layout.action(key))
    return r !== undefined && recordProblem(r, key) === undefined ? r : undefined
  }

  #index: Map<string, IndexEntry> | undefined
  #indexDirty = false

  /**
   * The state materialised for `id`. The per-target file is the source of truth; the index holds
   * a copy keyed by the file's (inode, mtime, size), which every write (a rename of a new file)
   * changes, so a stale copy is never used, even when another process rewrote the file.
   */
  readOutState(id: string): OutState | undefined {
    return this.outStateWithStat(id)?.state
  }

  /** The out state and the stat of its file (the one that vouched for the index entry). */
  outStateWithStat(id: string): { state: OutState; st: Stats } | undefined {
    const path = this.layout.outState(id)
    let st: Stats
    try {
      st = statSync(path)
    } catch {
      return undefined
    }
    const index = this.#loadIndex()
    const e = index.get(id)
    if (e && e.ino === st.ino && e.mtimeMs === st.mtimeMs && e.size === st.size) return { state: e.state, st }
    const read = readJson<OutState>(path)
    // A malformed state (torn, planted, or from an older coin) means "not materialised".
    const state = read !== undefined && outStateProblem(read) === undefined ? read : undefined
    if (!state) return undefined
    index.set(id, { ino: st.ino, mtimeMs: st.mtimeMs, size: st.size, state })
    this.#indexDirty = true
    return { state, st }
  }

  writeOutState(id: string, state: OutState): void {
    const path = this.layout.outState(id)
    writeJsonAtomic(path, state, this.#tmp())
    const st = statSync(path)
    this.#loadIndex().set(id, { ino: st.ino, mtimeMs: st.mtimeMs, size: st.size, state })
    this.#indexDirty = true
  }

  #loadIndex(): Map<string, IndexEntry> {
    if (!this.#index) {
      const data = readJson<{ v: number; entries: Record<string, IndexEntry> }>(this.layout.outIndex)
      this.#index = new Map(data?.v === 1 ? Object.entries(data.entries) : [])
    }
    return this.#index
  }

  /** Writes the index back (atomically; a lost update only costs reads next time). */
  saveIndex(): void {
    if (!this.#index || !this.#indexDirty) return
    writeJsonAtomic(this.layout.outIndex, { v: 1, entries: Object.fromEntries(this.#index) }, this.#tmp())
    this.#indexDirty = false
  }

  /** A fresh staging directory owned by this process (`<pid>-<n>`, so a sweep can tell if it is orphaned). */
  newStaging(): string {
    const dir = join(
      this.layout.staging,
      `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
    )
    inDir(this.layout.staging, () => mkdirSync(dir))
    mkdirSync(join(dir, 'out'))
    return dir
  }

  /** A temp path in staging/ for an atomic write (swept with staging when we are killed). */
  #tmp(): string {
    return stagingTmpName(this.layout.staging)
  }

  /**
   * Removes staging directories and temp files whose process is gone (a killed build), and lock
   * files left by dead processes. Returns how many staging entries went.
   */
  sweepStaging(): number {
    sweepLocks(this.layout.locks)
    let swept = 0
    if (!existsSync(this.layout.staging)) return 0
    for (const name of readdirSync(this.layout.staging)) {
      const pid = Number(name.split('-')[0])
      if (pid === process.pid || processAlive(pid)) continue
      rmSync(join(this.layout.staging, name), { recursive: true, force: true })
      swept++
    }
    return swept
  }

  /**
   * Moves a finished staging directory into the store and writes the record (last).
   * `outDir` is `<staging>/out`; `logFile` the captured log, if any.
   */
  commit(
    staging: string,
    meta: Omit<ActionRecord, 'format' | 'outputDigest' | 'files' | 'log'>,
    logFile: string | undefined,
  ): Promise<ActionRecord> {
    return this.#commit(staging, meta, logFile, false).then((c) => c.record)
  }

  /**
   * `commit`, then `materialize`, with the staged `out/` renamed into place as `out/<id>.out`: its
   * files are adopted by hard link, so each already is its object. Against the two calls, a target
   * saves making a folder, removing one, and a link per file (mkdir and rmdir cost ~0.2-0.4 ms each
   * on the VMs this runs on). A staged tree with a folder no file explains (an empty one, which a
   * restore would not recreate) is materialised from the record instead, so both look the same.
   */
  async commitAndMaterialize(
    id: string,
    staging: string,
    meta: Omit<ActionRecord, 'format' | 'outputDigest' | 'files' | 'log'>,
    logFile: string | undefined,
  ): Promise<{ record: ActionRecord; state: OutState }> {
    const { record, staged, linked } = await this.#commit(staging, meta, logFile, true)
    if (!staged) return { record, state: await this.materialize(id, record) }
    const state = await this.#placeLocked(id, record, () => this.#install(id, record, staged, linked))
    // Empty once out/ moved (else out/ stayed: a recursive removal). In the background: an ext4
    // rmdir blocked the main thread ~0.5 ms a target (11% of a 1k shell build's profile).
    this.#track(rmdir(staging).catch(() => rm(staging, { recursive: true, force: true })))
    return { record, state }
  }

  async #commit(
    staging: string,
    meta: Omit<ActionRecord, 'format' | 'outputDigest' | 'files' | 'log'>,
    logFile: string | undefined,
    keepOut: boolean,
  ): Promise<{ record: ActionRecord; staged?: string; linked: Set<string> }> {
    const outDir = join(staging, 'out')
    const linked = new Set<string>()
    // What is left in the staging folder once its files are adopted: removed entry by entry,
    // which costs a few calls where a recursive removal lists every folder first.
    const left: string[] = []
    const folders = new Set<string>([outDir])
    const walked: string[] = []
    let committed = false
    let staged: string | undefined
    let linkable = true
    try {
      // Every entry is checked before any is touched: a link is never chmod-ed or followed.
      const listed = listOutputFiles(outDir, walked)
      const files: ManifestEntry[] = []
      for (const { rel, mode, size: statSize } of listed) {
        const abs = join(outDir, rel)
        const { digest, size } = await hashFile(abs, statSize)
        this.stat.bytesHashed += size
        files.push({ path: rel, digest, size, executable: (mode & 0o111) !== 0 })
        if (keepOut && linkable) {
          const how = this.#adoptByLink(abs, digest)
          if (how === 'linked') linked.add(rel)
          // A file system without hard links: the file was moved, so out/ comes from the record.
          if (how === 'moved') linkable = false
        } else if (!this.#adopt(abs, digest)) left.push(abs)
      }
      let log: Digest | null = null
      if (logFile && existsSync(logFile)) {
        log = (await hashFile(logFile)).digest
        if (!this.#adopt(logFile, log)) left.push(logFile)
      }
      const outputDigest = await hashBytes(canonicalJson(files))
      const record: ActionRecord = { format: 1, ...meta, outputDigest, files, log }
      writeJsonAtomic(this.layout.action(meta.key), record, this.#tmp())
      committed = true
      for (const { rel } of listed)
        for (let i = rel.lastIndexOf('/'); i > 0; i = rel.lastIndexOf('/', i - 1))
          folders.add(join(outDir, rel.slice(0, i)))
      if (keepOut && linkable && walked.every((d) => folders.has(join(outDir, d)))) staged = outDir
      return { record, staged, linked }
    } finally {
      if (!committed) this.#discard(staging)
      else if (staged) for (const f of left) unlinkSync(f)
      else if (keepOut || !removeKnown(staging, left, folders)) this.#discard(staging)
    }
  }

  readonly #discarding = new Set<Promise<void>>()

  /**
   * Removes a staging folder in the background (libuv's thread pool): deleting folder trees was
   * ~17% of a full build's main-thread time, on the path of every target. A process that dies
   * first leaves the folder to the next start's sweep (its PID is gone). `settle` waits for them.
   */
  #discard(staging: string): void {
    this.#track(rm(staging, { recursive: true, force: true }))
  }

  #track(removal: Promise<unknown>): void {
    const p: Promise<void> = removal
      .then(() => undefined)
      .catch(() => undefined)
      .finally(() => this.#discarding.delete(p))
    this.#discarding.add(p)
  }

  /** Waits for the background removals (a build calls it before it reports done). */
  async settle(): Promise<void> {
    while (this.#discarding.size) await Promise.all([...this.#discarding])
  }

  /**
   * Puts a file into objects/ under its digest by rename; false when the object already exists
   * (the file stays where it is, for the caller to remove).
   */
  #adopt(abs: string, digest: Digest): boolean {
    const dest = this.layout.object(digest)
    if (existsSync(dest)) return false
    chmodSync(abs, 0o444)
    inDir(dirname(dest), () => renameSync(abs, dest))
    this.objectStat.remember(dest, statSync(dest), digest)
    return true
  }

  /**
   * Puts a file into objects/ under its digest by hard link, leaving it where it is as that
   * object's link. When the object already exists, the file is replaced by a link to it (a copy
   * where linking fails), so every output file is its object, as after `materialize`. Where the
   * file system has no hard links at all, the file is moved in as `#adopt` does ('moved').
   */
  #adoptByLink(abs: string, digest: Digest): 'linked' | 'copy' | 'moved' {
    const dest = this.layout.object(digest)
    try {
      inDir(dirname(dest), () => linkSync(abs, dest))
      chmodSync(abs, 0o444) // the object's inode: read-only, as `#adopt` makes it
      this.objectStat.remember(dest, statSync(dest), digest)
      return 'linked'
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        if (!existsSync(dest)) {
          this.#adopt(abs, digest)
          return 'moved'
        }
      }
    }
    unlinkSync(abs)
    try {
      linkSync(dest, abs)
      return 'linked'
    } catch {
      copyFileSync(dest, abs)
      chmodSync(abs, 0o444)
      return 'copy'
    }
  }

  /**
   * Checks that every object of a record is present and intact (through the stat cache: only
   * objects whose stat changed since they were hashed are read again). A corrupt object is deleted
   * so the target is rebuilt rather than restored from bad bytes.
   */
  async verify(record: ActionRecord): Promise<{ ok: true } | { ok: false; reason: string }> {
    // The manifest must be the one the output digest names: an edited path or digest is caught.
    if ((await hashBytes(canonicalJson(record.files))) !== record.outputDigest)
      return { ok: false, reason: 'its record does not match its output digest (edited?)' }
    for (const f of record.files) {
      const obj = this.layout.object(f.digest)
      let st: ReturnType<typeof statSync>
      try {
        st = statSync(obj)
      } catch {
        return { ok: false, reason: `object for ${f.path} is missing from the cache` }
      }
      let digest: string
      try {
        digest = await this.objectStat.digest(obj, st)
      } catch (err) {
        // Deleted while we read it: another target sharing this output found it corrupt.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
        return { ok: false, reason: `object for ${f.path} is missing from the cache` }
      }
      if (digest !== f.digest) {
        // Delete only the file we hashed: while we hashed, another target with the same output
        // may have rebuilt it and put a good object at this path (a new inode).
        if (sameFile(obj, st)) rmSync(obj, { force: true })
        this.objectStat.forget(obj)
        return {
          ok: false,
          reason: `object for ${f.path} is corrupt (digest ${digest}, expected ${f.digest})`,
        }
      }
    }
    return { ok: true }
  }

  /**
   * Exposes a record's outputs at `out/<id>.out` as read-only hard links into objects/ (a copy
   * only when linking fails, e.g. across devices), replacing what was there in one rename.
   * Runs under the target's out lock, so builds restoring the same target at once never swap the
   * folder under each other; one that finds it already materialised and intact leaves it alone.
   */
  materialize(id: string, record: ActionRecord, signal?: AbortSignal): Promise<OutState> {
    return this.#placeLocked(id, record, () => this.#materializeLocked(id, record), signal)
  }

  /** Under the out lock: the current output if it is `record`'s and intact, else what `place` makes. */
  async #placeLocked(
    id: string,
    record: ActionRecord,
    place: () => OutState,
    signal?: AbortSignal,
  ): Promise<OutState> {
    const held = await lock(this.layout.outLock(id), signal)
    try {
      const current = this.readOutState(id)
      if (current?.key === record.key && (await this.outputsIntact(id, current))) return current
      return place()
    } finally {
      held.release()
    }
  }

  #materializeLocked(id: string, record: ActionRecord): OutState {
    const tmp = this.#tmp()
    // Files that are hard links to their object (not copies): their stat is the object's.
    const linked = new Set<string>()
    try {
      inDir(this.layout.staging, () => mkdirSync(tmp))
      const made = new Set([tmp])
      for (const f of record.files) {
        const dest = join(tmp, f.path)
        const parent = dirname(dest)
        if (!made.has(parent)) {
          mkdirSync(parent, { recursive: true })
          made.add(parent)
        }
        const obj = this.layout.object(f.digest)
        try {
          linkSync(obj, dest)
          linked.add(f.path)
        } catch {
          copyFileSync(obj, dest)
          chmodSync(dest, f.executable ? 0o555 : 0o444)
        }
      }
    } catch (err) {
      rmSync(tmp, { recursive: true, force: true })
      throw err
    }
    return this.#install(id, record, tmp, linked)
  }

  /**
   * Renames the folder `tmp` (the record's files, `linked` of them hard links to their objects)
   * to `out/<id>.out`, replacing what was there, and writes the out state.
   */
  #install(id: string, record: ActionRecord, tmp: string, linked: ReadonlySet<string>): OutState {
    const final = this.layout.outDir(id)
    try {
      try {
        inDir(dirname(final), () => renameSync(tmp, final))
      } catch (err) {
        // Something is in the way (the previous output): swap it out, then drop it.
        if (
          !['ENOTEMPTY', 'EEXIST', 'ENOTDIR', 'EISDIR'].includes(String((err as NodeJS.ErrnoException).code))
        )
          throw err
        const trash = this.#tmp()
        renameSync(final, trash)
        renameSync(tmp, final)
        rmSync(trash, { recursive: true, force: true })
      }
    } catch (err) {
      rmSync(tmp, { recursive: true, force: true })
      throw err
    }
    const dirs = new Set([''])
    for (const f of record.files) {
      const parts = f.path.split('/')
      for (let n = 1; n < parts.length; n++) dirs.add(parts.slice(0, n).join('/'))
    }
    const state: OutState = {
      key: record.key,
      outputDigest: record.outputDigest,
      files: record.files.map((f) => {
        const st = statSync(join(final, f.path))
        // Linking changed the object's ctime; re-pair it with its digest so it is not re-read.
        // The link *is* the object (same inode): its stat serves, even if the object is gone since.
        const obj = this.layout.object(f.digest)
        if (linked.has(f.path) || sameFile(obj, st)) this.objectStat.remember(obj, st, f.digest)
        return { ...f, ino: st.ino, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs }
      }),
      dirs: [...dirs].sort().map((path) => {
        const st = statSync(join(final, path))
        return { path, ino: st.ino, mtimeMs: st.mtimeMs }
      }),
    }
    this.writeOutState(id, state)
    return state
  }

  /**
   * Is `out/<id>.out` still exactly what `state` says? Only stats; a file whose stat changed is
   * hashed again and compared (a flipped byte in a hard-linked object is caught here).
   */
  async outputsIntact(id: string, state: OutState): Promise<boolean> {
    const dir = this.layout.outDir(id)
    for (const d of state.dirs) {
      // A file added to (or removed from) a folder changes its mtime: an extra file is poison.
      try {
        const st = statSync(join(dir, d.path))
        if (st.ino !== d.ino || st.mtimeMs !== d.mtimeMs) return false
      } catch {
        return false
      }
    }
    for (const f of state.files) {
      let st: ReturnType<typeof statSync>
      try {
        st = statSync(join(dir, f.path))
      } catch {
        return false
      }
      // ctime is not compared: hard-linking the same object for another target changes it. A
      // write changes mtime (and an in-place edit of a read-only link needs a chmod first).
      if (st.ino === f.ino && st.size === f.size && st.mtimeMs === f.mtimeMs) continue
      if (st.size !== f.size) return false
      const { digest } = await hashFile(join(dir, f.path), st.size)
      this.stat.bytesHashed += f.size
      if (digest !== f.digest) return false
    }
    return true
  }
}

/**
 * Removes a committed staging folder whose remaining entries are known (`files` left behind,
 * `folders` of the output; longer paths first puts children before parents). False if anything
 * else was there: the caller falls back to a recursive removal.
 */
function removeKnown(staging: string, files: string[], folders: Set<string>): boolean {
  try {
    for (const f of files) unlinkSync(f)
    for (const d of [...folders].sort((a, b) => b.length - a.length)) rmdirSync(d)
    rmdirSync(staging)
    return true
  } catch {
    return false
  }
}

/** Is `path` still the file `st` was taken of (same device and inode)? */
function sameFile(path: string, st: { dev: number; ino: number }): boolean {
  try {
    const now = statSync(path)
    return now.dev === st.dev && now.ino === st.ino
  } catch {
    return false
  }
}

/**
 * The regular files under an output folder, sorted. A symbolic link is rejected whether it points
 * inside or outside the folder, to a file or a folder, or nowhere: its target is never read,
 * chmod-ed or copied. Storing links as links would let a cached output point anywhere on the
 * machine of whoever restores it; a rule that wants a file from elsewhere copies it.
 */
export function listOutputFiles(
  dir: string,
  folders?: string[],
): { rel: string; mode: number; size: number }[] {
  const out: { rel: string; mode: number; size: number }[] = []
  const walk = (sub: string) => {
    for (const entry of readdirSync(join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name
      const abs = join(dir, rel)
      // Some file systems do not report entry types in readdir: ask lstat (never following links).
      const known = entry.isDirectory() || entry.isFile() || entry.isSymbolicLink()
      const e = known ? entry : lstatSync(abs)
      if (e.isDirectory()) {
        folders?.push(rel)
        walk(rel)
      } else if (e.isFile()) {
        const st = lstatSync(abs)
        out.push({ rel, mode: st.mode, size: st.size })
      } else if (e.isSymbolicLink())
        throw new OutputRejected(
          `output ${rel} is a symbolic link (to ${readlinkSync(abs)}); coin caches regular files only`,
        )
      else throw new OutputRejected(`output ${rel} is not a regular file (a socket, FIFO or device)`)
    }
  }
  walk('')
  return out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0))
}
