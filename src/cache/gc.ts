/**
 * Garbage collection. Roots: for every target of the current Coinfile, the key materialised in
 * cache/out and the key it has now (so a reverted param stays restorable), plus pinned keys.
 * Everything else (records, objects no kept record references, outputs of targets that no longer
 * exist, stale logs) is deleted, and so is the scratch (resumable progress) of every key that is
 * not current or already committed: a target's current, unbuilt key keeps its scratch, so an
 * interrupted run still resumes.
 * `dryRun` only reports.
 */
import { type Dirent, existsSync, lstatSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { listFiles } from '../fingerprint/inputs.ts'
import type { CacheLayout } from './layout.ts'
import { processAlive } from './process.ts'
import { dropScratch, dropStaleOwners, scratchInUse, scratchKeys } from './scratch.ts'
import type { Store } from './store.ts'

export interface GcReport {
  /** Orphans of killed builds: staging folders, temp files, locks of dead processes. */
  removedLeftovers: number
  keptRecords: number
  removedRecords: number
  removedObjects: number
  removedOutputs: number
  /** Scratch directories of keys no target has now (see cache/scratch.ts). */
  removedScratch: number
  bytesFreed: number
}

export function pinnedKeys(layout: CacheLayout): Set<string> {
  const keys = new Set<string>()
  if (!existsSync(layout.pins)) return keys
  for (const f of listFiles(layout.pins)) keys.add(readFileSync(join(layout.pins, f), 'utf8').trim())
  return keys
}

export function collectGarbage(
  store: Store,
  layout: CacheLayout,
  liveIds: ReadonlySet<string>,
  currentKeys: Iterable<string>,
  dryRun: boolean,
): GcReport {
  const roots = new Set<string>([...currentKeys, ...pinnedKeys(layout)])
  const report: GcReport = {
    removedLeftovers: dryRun ? 0 : store.sweepStaging() + sweepTempFiles(layout),
    keptRecords: 0,
    removedRecords: 0,
    removedObjects: 0,
    removedOutputs: 0,
    removedScratch: 0,
    bytesFreed: 0,
  }
  const size = (p: string) => {
    try {
      return lstatSync(p).size
    } catch {
      return 0
    }
  }
  const remove = (p: string) => {
    if (!dryRun) rmSync(p, { recursive: true, force: true })
  }

  // Outputs of targets that are no longer declared; the keys of the others are roots.
  if (existsSync(layout.out))
    for (const f of listFiles(layout.out)) {
      if (!f.endsWith('.json') || f.includes('.out/')) continue
      const id = f.slice(0, -'.json'.length)
      const state = store.readOutState(id)
      if (liveIds.has(id)) {
        if (state) roots.add(state.key)
        continue
      }
      // Its files are hard links: their bytes are counted when the objects go.
      remove(layout.outDir(id))
      remove(layout.outState(id))
      report.removedOutputs++
    }

  const liveObjects = new Set<string>()
  if (existsSync(layout.actions))
    for (const f of listFiles(layout.actions)) {
      const key = f
        .split('/')
        .pop()!
        .replace(/\.json$/, '')
      const path = join(layout.actions, f)
      if (roots.has(key)) {
        const rec = store.readRecord(key)
        if (rec) {
          report.keptRecords++
          for (const e of rec.files) liveObjects.add(e.digest)
          if (rec.log) liveObjects.add(rec.log)
          continue
        }
      }
      report.bytesFreed += size(path)
      report.removedRecords++
      remove(path)
    }
  if (existsSync(layout.objects))
    for (const f of listFiles(layout.objects)) {
      const digest = f.replace('/', '')
      if (liveObjects.has(digest)) continue
      const p = join(layout.objects, f)
      report.bytesFreed += size(p)
      report.removedObjects++
      remove(p)
    }
  for (const key of scratchKeys(layout)) {
    // Kept: a current key's progress (not committed yet: it may resume) and one being written now.
    const committed = existsSync(layout.action(key))
    if ((roots.has(key) && !committed) || scratchInUse(layout, key)) continue
    report.bytesFreed += dirSize(layout.scratch(key))
    report.removedScratch++
    if (!dryRun) dropScratch(layout, key)
  }
  if (!dryRun) dropStaleOwners(layout)
  return report
}

/**
 * Removes `<name>.<pid>[-<n>].tmp` files and folders whose process is gone, in the cache's top
 * folder, out/ and actions/ (left by a build killed mid-write, or by older coin versions).
 */
export function sweepTempFiles(layout: CacheLayout): number {
  let removed = 0
  const walk = (dir: string, depth: number) => {
    let entries: Dirent[]
    try {
      entries = readdirSync(dir, { withFileTypes: true })
    } catch {
      return
    }
    for (const e of entries) {
      const m = /\.(\d+)(?:-\d+)?\.tmp$/.exec(e.name)
      const p = join(dir, e.name)
      if (m && Number(m[1]) !== process.pid && !processAlive(Number(m[1]))) {
        rmSync(p, { recursive: true, force: true })
        removed++
      } else if (e.isDirectory() && !e.name.endsWith('.out') && depth > 0) walk(p, depth - 1)
    }
  }
  walk(layout.root, 0)
  walk(layout.out, 64)
  walk(layout.actions, 1)
  return removed
}

export function dirSize(dir: string): number {
  if (!existsSync(dir)) return 0
  let total = 0
  const seen = new Set<number>()
  for (const f of listFiles(dir)) {
    const st = lstatSync(join(dir, f))
    if (seen.has(st.ino)) continue // hard links count once
    seen.add(st.ino)
    total += st.size
  }
  return total
}
