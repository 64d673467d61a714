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
 * right now. Returns the directory, not created: the rule creates it when it first uses it
 * (`ensureScratch`), so the many targets that never do pay no file-system work for it. Any error
 * here only costs progress, never the build, so it is not fatal.
 */
export function prepareScratch(layout: CacheLayout, id: string, key: string): string {
  for (const other of scratchKeys(layout)) {
    if (other === key) continue
    let owner: string
    try {
      owner = readFileSync(`${layout.scratch(other)}${ID_SUFFIX}`, 'utf8')
    } catch {
      continue
    }
    if (owner === id && !scratchInUse(layout, other)) dropScratch(layout, other)
  }
  return layout.scratch(key)
}

/** Creates a scratch directory on first use, with the note naming the target it belongs to. */
export function ensureScratch(dir: string, id: string): void {
  mkdirSync(dir, { recursive: true })
  writeFileSync(`${dir}${ID_SUFFIX}`, id)
}
