/**
 * Shape checks for what the store reads back from disk (action records, out states). These files
 * can be torn, hand-edited or planted, and the store turns their paths into file-system writes
 * (hard links, chmod, deletes), so nothing in them is used before it passes these checks: paths
 * must be relative, normalised and inside the output folder; digests must be 32 lowercase hex.
 */
import { posix } from 'node:path'

const DIGEST = /^[0-9a-f]{32}$/

export const isDigest = (d: unknown): d is string => typeof d === 'string' && DIGEST.test(d)

/** A manifest path: relative, normalised, no `.`/`..` segments, no NUL or backslash. */
export function isSafeRelPath(p: unknown): p is string {
  if (typeof p !== 'string' || p === '' || p.length > 4096) return false
  if (p.includes('\0') || p.includes('\\') || p.startsWith('/')) return false
  if (posix.normalize(p) !== p) return false
  return p.split('/').every((s) => s !== '' && s !== '.' && s !== '..')
}

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0

interface FileLike {
  path: unknown
  digest: unknown
  size: unknown
  executable?: unknown
}

/** The first problem with a list of manifest entries (sorted, unique, safe paths), or undefined. */
export function manifestProblem(files: unknown): string | undefined {
  if (!Array.isArray(files)) return 'files is not a list'
  const seen = new Set<string>()
  for (const [i, f] of (files as FileLike[]).entries()) {
    if (typeof f !== 'object' || f === null) return `files[${i}] is not an object`
    if (!isSafeRelPath(f.path))
      return `files[${i}].path ${JSON.stringify(f.path)} is not a normalised relative path`
    if (!isDigest(f.digest)) return `files[${i}].digest is not a digest`
    if (!isCount(f.size)) return `files[${i}].size is not a byte count`
    if (f.executable !== undefined && typeof f.executable !== 'boolean')
      return `files[${i}].executable is not a boolean`
    if (seen.has(f.path)) return `files[${i}].path ${f.path} is listed twice`
    seen.add(f.path)
  }
  // A path that is both a file and a folder ("a" and "a/b") cannot come from a real folder.
  for (const p of seen) {
    const parts = p.split('/')
    for (let n = 1; n < parts.length; n++)
      if (seen.has(parts.slice(0, n).join('/')))
        return `${p} lies inside the file ${parts.slice(0, n).join('/')}`
  }
  return undefined
}

/** The first problem with an action record read for `key`, or undefined when it is well formed. */
export function recordProblem(r: unknown, key: string): string | undefined {
  if (typeof r !== 'object' || r === null) return 'not an object'
  const rec = r as Record<string, unknown>
  if (rec.format !== 1) return 'unknown format'
  if (rec.key !== key) return 'its key does not match its file name'
  if (!isDigest(rec.outputDigest)) return 'outputDigest is not a digest'
  if (rec.log !== null && !isDigest(rec.log)) return 'log is not a digest'
  if (typeof rec.keyData !== 'object' || rec.keyData === null) return 'keyData is missing'
  return manifestProblem(rec.files)
}

/** The first problem with an out state (`out/<id>.json`), or undefined. */
export function outStateProblem(s: unknown): string | undefined {
  if (typeof s !== 'object' || s === null) return 'not an object'
  const st = s as Record<string, unknown>
  if (!isDigest(st.key)) return 'key is not a digest'
  if (!isDigest(st.outputDigest)) return 'outputDigest is not a digest'
  if (!Array.isArray(st.dirs)) return 'dirs is missing (written by an older coin)'
  for (const d of st.dirs as { path: unknown }[])
    if (d?.path !== '' && !isSafeRelPath(d?.path)) return 'a dirs path is not a normalised relative path'
  return manifestProblem(st.files)
}
