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
import { removeFile } from './fs-ops.ts'
import type { CacheLayout } from './layout.ts'
import { isStale } from './lock.ts'

const ID_SUFFIX = '.id'

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
  removeFile(`${layout.scratch(key)}${ID_SUFFIX}`)
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
  let other: string
  try {
    other = readFileSync(owner, 'utf8')
  } catch {
    return layout.scratch(key)
  }
  if (other !== key && readNote(layout, other) === id && !scratchInUse(layout, other)) {
    dropScratch(layout, other)
    removeFile(owner)
  }
  return layout.scratch(key)
}

function readNote(layout: CacheLayout, key: string): string | undefined {
  try {
    return readFileSync(`${layout.scratch(key)}${ID_SUFFIX}`, 'utf8')
  } catch {
    return undefined
  }
}

/** Creates a scratch directory on first use, with the notes naming its target and the target's key. */
export function ensureScratch(layout: CacheLayout, key: string, id: string): string {
  const dir = layout.scratch(key)
  mkdirSync(dir, { recursive: true })
  writeFileSync(`${dir}${ID_SUFFIX}`, id)
  const owner = layout.scratchOwner(id)
  try {
    writeFileSync(owner, key)
  } catch {
    mkdirSync(layout.scratchOwners, { recursive: true })
    writeFileSync(owner, key)
  }
  return dir
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
    let key: string
    try {
      key = readFileSync(note, 'utf8')
    } catch {
      continue
    }
    if (!existsSync(layout.scratch(key)) && !existsSync(`${layout.scratch(key)}${ID_SUFFIX}`))
      removeFile(note)
  }
}
