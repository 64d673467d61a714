/** Small file-system helpers: atomic JSON writes (temp file + rename) and tolerant reads. */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

let counter = 0

export function tmpName(path: string): string {
  return `${path}.${process.pid}-${counter++}.tmp`
}

export function writeJsonAtomic(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true })
  const tmp = tmpName(path)
  writeFileSync(tmp, `${JSON.stringify(value)}\n`)
  renameSync(tmp, path)
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
