/**
 * A persistent stat cache: (device, inode, size, mtime, ctime) → digest, so an unchanged file is
 * never read twice (the DVC state-DB pattern). Any change to the stat tuple (a write changes mtime
 * and ctime, even a chmod changes ctime) makes coin hash the file again.
 *
 * The cache is one JSON file loaded at start and merged back at the end; losing entries to a
 * concurrent writer only costs a re-hash, never a wrong answer.
 */
import { readFileSync, type Stats, statSync } from 'node:fs'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import pLimit from 'p-limit'
import { type Digest, hashFile } from './xxh.ts'

interface Entry {
  dev: number
  ino: number
  size: number
  mtimeMs: number
  ctimeMs: number
  digest: Digest
}

const FORMAT = 1

export interface StatCacheOptions {
  /** Paths under this prefix are not kept here (they live in another stat cache). */
  exclude?: string
}

export class StatCache {
  #entries = new Map<string, Entry>()
  #dirty = new Set<string>()
  #limit = pLimit(4)
  /** For a lazily loaded cache: loads the file on first use. */
  #pending: (() => void) | undefined
  /** Bytes read from disk by this cache since it was created (benchmarks show it is 0 on a no-op). */
  bytesHashed = 0
  filesHashed = 0

  constructor(
    readonly file: string | undefined,
    readonly options: StatCacheOptions = {},
  ) {}

  static async load(file: string | undefined, options: StatCacheOptions = {}): Promise<StatCache> {
    const cache = new StatCache(file, options)
    if (!file) return cache
    try {
      cache.#fill(await readFile(file, 'utf8'))
    } catch {
      // Missing or unreadable: start empty, files get hashed again.
    }
    return cache
  }

  /**
   * A cache read from `file` only when first used: the cache objects' digests are needed when a
   * build commits or restores, never on a no-op, so a no-op does not parse them.
   */
  static lazy(file: string, options: StatCacheOptions = {}): StatCache {
    const cache = new StatCache(file, options)
    cache.#pending = () => {
      try {
        cache.#fill(readFileSync(file, 'utf8'))
      } catch {
        // Missing or unreadable: start empty.
      }
    }
    return cache
  }

  #fill(text: string): void {
    const data = JSON.parse(text) as { v: number; entries: Record<string, Entry> }
    if (data.v !== FORMAT) return
    const skip = this.options.exclude
    for (const [k, e] of Object.entries(data.entries))
      if (!skip || !k.startsWith(skip)) this.#entries.set(k, e)
  }

  get #map(): Map<string, Entry> {
    if (this.#pending) {
      const load = this.#pending
      this.#pending = undefined
      // Entries set before the load (none: every access goes through here) would win over the file.
      load()
    }
    return this.#entries
  }

  /** The digest of `path` if its stat tuple is unchanged since it was hashed, without reading it. */
  lookup(path: string, st: Stats): Digest | undefined {
    const e = this.#map.get(path)
    if (!e) return undefined
    if (
      e.dev === st.dev &&
      e.ino === st.ino &&
      e.size === st.size &&
      e.mtimeMs === st.mtimeMs &&
      e.ctimeMs === st.ctimeMs
    )
      return e.digest
    return undefined
  }

  /** Records a digest computed elsewhere (coin hashes outputs once, while committing them). */
  remember(path: string, st: Stats, digest: Digest): void {
    this.#map.set(path, {
      dev: st.dev,
      ino: st.ino,
      size: st.size,
      mtimeMs: st.mtimeMs,
      ctimeMs: st.ctimeMs,
      digest,
    })
    this.#dirty.add(path)
  }

  forget(path: string): void {
    this.#map.delete(path)
    this.#dirty.add(path)
  }

  /** Digest of a file: from the cache when its stat is unchanged, else read and hashed (at most 4 at once). */
  async digest(path: string, st: Stats = statSync(path)): Promise<Digest> {
    const hit = this.lookup(path, st)
    if (hit) return hit
    return this.#limit(async () => {
      const { digest, size } = await hashFile(path, st.size)
      this.bytesHashed += size
      this.filesHashed++
      // Stat again: if the file changed while we read it, do not trust the pairing.
      const after = statSync(path)
      if (after.mtimeMs === st.mtimeMs && after.size === st.size) this.remember(path, after, digest)
      return digest
    })
  }

  /** Merges this process's changes into the file on disk (atomic rename). */
  async save(): Promise<void> {
    if (!this.file || this.#dirty.size === 0) return
    const onDisk = await StatCache.load(this.file, this.options)
    for (const path of this.#dirty) {
      const e = this.#map.get(path)
      if (e) onDisk.#entries.set(path, e)
      else onDisk.#entries.delete(path)
    }
    const tmp = `${this.file}.${process.pid}.tmp`
    await mkdir(dirname(this.file), { recursive: true })
    try {
      await writeFile(tmp, JSON.stringify({ v: FORMAT, entries: Object.fromEntries(onDisk.#entries) }))
      await rename(tmp, this.file)
    } catch (err) {
      await rm(tmp, { force: true }) // a full disk leaves no torn temp file behind
      throw err
    }
    this.#dirty.clear()
  }
}
