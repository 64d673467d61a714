/**
 * Scratch directories: where a running target keeps progress it can resume from (a training
 * checkpoint every N steps). `cache/scratch/<key>/` is `ctx.scratch`; `cache/scratch/<key>.id`
 * names the target that last used it. Keyed by the cache key, so a changed key never sees the old
 * progress; it survives an interrupted or failed attempt, and goes when the key commits (see
 * exec/commit.ts), when the same target starts under another key, or in `coin gc`.
 *
 * A scratch directory is only written while its key's lock is held (by `coin build` or the
 * `coin exec` worker), so a directory whose key is locked by a live process is never removed.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { inDir, removeFile } from './fs-ops.ts'
import type { CacheLayout } from './layout.ts'
import { isStale } from './lock.ts'

const ID_SUFFIX = '.id'

/** `<key>.id` beside a key's scratch: the target that used it last. */
const noteOf = (layout: CacheLayout, key: string) => `${layout.scratch(key)}${ID_SUFFIX}`

/** True while a live process holds the key's build lock. */
export function scratchInUse(layout: CacheLayout, key: string): boolean {
  const path = layout.lock(key)
  return existsSync(path) && !isStale(path)
}

/** Every key with a scratch directory (or a leftover `.id` note). */
export function scratchKeys(layout: CacheLayout): string[] {
  let names: string[]
  try {
    names = readdirSync(layout.scratchRoot)
  } catch {
    return []
  }
  return [...new Set(names.map((n) => (n.endsWith(ID_SUFFIX) ? n.slice(0, -ID_SUFFIX.length) : n)))]
}

/** Removes a key's scratch directory and its note (no-op when absent). */
export function dropScratch(layout: CacheLayout, key: string): void {
  rmSync(layout.scratch(key), { recursive: true, force: true })
  removeFile(noteOf(layout, key))
}

/**
 * Before target `id` runs under `key`: drops the scratch the same target left under another key
 * (its params or inputs changed, so that progress is of other work), unless that key is being built
 * right now or another target has used it since. Returns the directory, not created: the rule
 * creates it when it first uses it (`ensureScratch`), so the many targets that never do pay no
 * file-system work for it. One note per target names its last key, so this reads one small file,
 * not every key's note (failed attempts keep their scratch, so those can be many). Any error here
 * only costs progress, never the build, so it is not fatal.
 */
export function prepareScratch(layout: CacheLayout, id: string, key: string): string {
  const owner = layout.scratchOwner(id)
  const other = readIfThere(owner)
  if (
    other !== undefined &&
    other !== key &&
    readIfThere(noteOf(layout, other)) === id &&
    !scratchInUse(layout, other)
  ) {
    dropScratch(layout, other)
    removeFile(owner)
  }
  return layout.scratch(key)
}

/** A small file's text, or undefined when it cannot be read (gone, or never written). */
function readIfThere(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

/** Creates a scratch directory on first use, with the notes naming its target and the target's key. */
export function ensureScratch(layout: CacheLayout, key: string, id: string): void {
  mkdirSync(layout.scratch(key), { recursive: true })
  writeFileSync(noteOf(layout, key), id)
  inDir(layout.scratchOwners, () => writeFileSync(layout.scratchOwner(id), key))
}

/** Removes the owner notes whose key has no scratch left (for `coin gc`). */
export function dropStaleOwners(layout: CacheLayout): void {
  let names: string[]
  try {
    names = readdirSync(layout.scratchOwners)
  } catch {
    return
  }
  for (const name of names) {
    const note = join(layout.scratchOwners, name)
    const key = readIfThere(note)
    if (key !== undefined && !existsSync(layout.scratch(key)) && !existsSync(noteOf(layout, key)))
      removeFile(note)
  }
}
