/**
 * File-system calls on the path of every target, made without asking first. A full build makes
 * tens of these per target, and on a VM each metadata call costs 30–300 µs: `mkdirSync(dir,
 * { recursive: true })` before every write was two calls (mkdir → EEXIST, then a stat), and
 * `rmSync(file, { force: true })` three (two lstats, then unlink). The folder nearly always exists
 * and the file nearly always does too, so the happy path is now one call each.
 */
import { mkdirSync, unlinkSync } from 'node:fs'

const code = (err: unknown) => (err as NodeJS.ErrnoException).code

/** Runs `op`; if it fails because `dir` does not exist, creates `dir` and runs it once more. */
export function inDir<T>(dir: string, op: () => T): T {
  try {
    return op()
  } catch (err) {
    if (code(err) !== 'ENOENT') throw err
    mkdirSync(dir, { recursive: true })
    return op()
  }
}

/** Removes a file if it is there (`rm -f`): one unlink, ENOENT ignored. */
export function removeFile(path: string): void {
  try {
    unlinkSync(path)
  } catch (err) {
    if (code(err) !== 'ENOENT') throw err
  }
}
