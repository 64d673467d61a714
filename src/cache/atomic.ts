/** Small file-system helpers: atomic JSON writes (temp file + rename) and tolerant reads. */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { inDir, removeFile } from './fs-ops.ts'

let counter = 0

/** A temp name next to `path`, carrying our PID so a sweep can tell an orphan from live work. */
export function tmpName(path: string): string {
  return `${path}.${process.pid}-${counter++}.tmp`
}

/** `<pid>-t<n>`: a temp name inside a staging folder (swept by PID like staging dirs). */
export function stagingTmpName(staging: string): string {
  return `${staging}/${process.pid}-t${counter++}`
}

/**
 * Writes `value` to a temp file (`tmp`, default next to `path`) and renames it over `path`. On any
 * failure (a full disk) the temp file is removed and `path` keeps its old contents.
 */
export function writeJsonAtomic(path: string, value: unknown, tmp = tmpName(path)): void {
  writeTextAtomic(path, `${JSON.stringify(value)}\n`, tmp)
}

/** `bytes` to a temp file renamed over `path` (as `writeJsonAtomic`). */
export function writeBytesAtomic(path: string, bytes: Uint8Array | string): void {
  writeTextAtomic(path, bytes, tmpName(path))
}

function writeTextAtomic(path: string, text: Uint8Array | string, tmp: string): void {
  try {
    inDir(dirname(tmp), () => writeFileSync(tmp, text))
    inDir(dirname(path), () => renameSync(tmp, path))
  } catch (err) {
    removeFile(tmp)
    throw err
  }
}

export function readJson<T>(path: string): T | undefined {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
  try {
    return JSON.parse(text) as T
  } catch {
    // A torn or hand-edited file is treated as absent: the target is rebuilt, never trusted.
    return undefined
  }
}

/**
 * JSON with a checksum line (`sha256 hex` then the JSON): for caches whose every field is trusted
 * once read (the analysed graph, the up-to-date stamp), so a flipped byte that still parses is
 * caught, not believed.
 */
export function writeCheckedJson(path: string, value: unknown): void {
  const body = JSON.stringify(value)
  writeTextAtomic(path, `${createHash('sha256').update(body).digest('hex')}\n${body}\n`, tmpName(path))
}

/** What `writeCheckedJson` wrote, or undefined when missing, torn or altered. */
export function readCheckedJson<T>(path: string): T | undefined {
  try {
    const text = readFileSync(path, 'utf8')
    const nl = text.indexOf('\n')
    const body = text.slice(nl + 1).trimEnd()
    if (nl !== 64 || createHash('sha256').update(body).digest('hex') !== text.slice(0, 64)) return undefined
    return JSON.parse(body) as T
  } catch {
    return undefined
  }
}

/** Deletes all but the `keep` most recently written `.json` files of `dir` (per-state caches). */
export function keepNewestJson(dir: string, keep: number): void {
  keepNewest(dir, '.json', keep)
}

/** Deletes all but the `keep` most recently written files of `dir` whose names end with `ext`. */
export function keepNewest(dir: string, ext: string, keep: number): void {
  const files = readdirSync(dir)
    .filter((n) => n.endsWith(ext))
    .map((n) => {
      try {
        return { path: join(dir, n), mtime: statSync(join(dir, n)).mtimeMs }
      } catch {
        return undefined // removed meanwhile
      }
    })
    .filter((x) => x !== undefined)
    .sort((x, y) => y.mtime - x.mtime)
  for (const old of files.slice(keep)) removeFile(old.path)
}
