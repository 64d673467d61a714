/**
 * Where a declared file input is, or why it is unusable: the one check that both the preflight
 * (before anything runs) and fingerprinting use, so they agree on the wording and a no-op build
 * globs each pattern once.
 */
import { type Stats, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import type { InputRef } from '../config/define.ts'
import { formatSite, type SourceSite } from '../config/site.ts'
import { UserError } from '../errors.ts'

export type FileInputRef = Exclude<InputRef, { kind: 'target' }>

export type Located =
  | { kind: 'file' | 'dir'; abs: string; st: Stats }
  | { kind: 'glob'; matches: string[] }
  | { kind: 'problem'; problem: string }

// Inputs are source files (targets' outputs come through output(...)), so a pattern's matches
// cannot change during one coin invocation.
const globs = new Map<string, string[]>()

function globOnce(pattern: string, root: string): string[] {
  const key = `${root}\0${pattern}`
  let matches = globs.get(key)
  if (!matches) {
    // Loaded on first use: most Coinfiles declare no globs (~45 ms of start-up).
    const { globSync } = createRequire(import.meta.url)('tinyglobby') as typeof import('tinyglobby')
    matches = globSync(pattern, { cwd: root, onlyFiles: true, dot: false }).sort()
    globs.set(key, matches)
  }
  return matches
}

// The preflight and the fingerprints that follow it stat the same files moments apart: a stat
// taken less than a second ago serves both (a no-op of 10k targets stats each input once). Older
// ones are taken again, so a long build fingerprints what is on disk when a target is reached.
const recent = new Map<string, { at: number; located: Located }>()
const FRESH_MS = 1000
// Entries past FRESH_MS serve nothing: swept once a second, or a long build keeps one per input
// file (2 MB of live heap at 10k targets).
let sweptAt = 0

function sweepStale(now: number): void {
  if (now - sweptAt < FRESH_MS) return
  sweptAt = now
  for (const [memo, entry] of recent) if (now - entry.at >= FRESH_MS) recent.delete(memo)
}

export function locateInput(ref: FileInputRef, root: string): Located {
  if (ref.kind === 'glob') {
    const matches = globOnce(ref.pattern, root)
    return matches.length
      ? { kind: 'glob', matches }
      : { kind: 'problem', problem: `glob ${ref.pattern} matches no file` }
  }
  const abs = resolve(root, ref.path)
  const memo = `${ref.kind}\0${abs}`
  const now = performance.now()
  const hit = recent.get(memo)
  if (hit && now - hit.at < FRESH_MS) return hit.located
  sweepStale(now)
  const located = locateFile(ref, abs)
  recent.set(memo, { at: now, located })
  return located
}

function locateFile(ref: Exclude<FileInputRef, { kind: 'glob' }>, abs: string): Located {
  let st: Stats
  try {
    st = statSync(abs)
  } catch {
    return {
      kind: 'problem',
      problem: `${ref.kind === 'dir' ? 'directory' : 'file'} ${ref.path} does not exist`,
    }
  }
  if (ref.kind === 'file' && !st.isFile())
    return { kind: 'problem', problem: `${ref.path} is a directory; declare it with dir(...)` }
  if (ref.kind === 'dir' && !st.isDirectory())
    return { kind: 'problem', problem: `${ref.path} is not a directory; declare it with file(...)` }
  return { kind: ref.kind, abs, st }
}

export function inputError(
  target: string,
  input: string,
  problem: string,
  root: string,
  site: SourceSite | undefined,
): UserError {
  return new UserError({
    message: `target "${target}" input "${input}": ${problem}`,
    file: site?.file,
    line: site?.line,
    key: `${target}.inputs.${input}`,
    fix: `create it or correct the path (relative to ${root}; declared at ${formatSite(site)})`,
  })
}

export const globPaths = (root: string, matches: string[]) => matches.map((m) => join(root, m))
