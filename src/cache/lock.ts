/**
 * Per-key build locks, so several `coin build` processes on one cache run each target once.
 * A lock is a file created with O_EXCL holding {pid, host}; its holder touches it every
 * `HEARTBEAT_MS`. A lock whose holder is a dead local process, or whose heartbeat is older than
 * `STALE_MS`, is taken over: no command ever needs `--unlock` (DVC #2797, Snakemake #2919).
 */
import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeSync,
} from 'node:fs'
import { hostname } from 'node:os'
import { dirname } from 'node:path'
import { processAlive } from './store.ts'

export const HEARTBEAT_MS = 1000
export const STALE_MS = 10_000

export interface HeldLock {
  release(): void
}

interface LockInfo {
  pid: number
  host: string
}

function tryCreate(path: string): boolean {
  mkdirSync(dirname(path), { recursive: true })
  try {
    const fd = openSync(path, 'wx')
    writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname() } satisfies LockInfo))
    closeSync(fd)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw err
  }
}

/** True when the lock at `path` was left by a process that can no longer refresh it. */
export function isStale(path: string, now = Date.now()): boolean {
  let info: LockInfo
  let mtime: number
  try {
    mtime = statSync(path).mtimeMs
    info = JSON.parse(readFileSync(path, 'utf8')) as LockInfo
  } catch {
    // Unreadable: either being written this instant or gone. Judge by age alone.
    try {
      return now - statSync(path).mtimeMs > STALE_MS
    } catch {
      return false
    }
  }
  if (info.host === hostname() && !processAlive(info.pid)) return true
  return now - mtime > STALE_MS
}

/** Takes the lock if free (or stale); returns undefined when another live process holds it. */
export function tryLock(path: string): HeldLock | undefined {
  if (!tryCreate(path)) {
    if (!isStale(path)) return undefined
    rmSync(path, { force: true })
    if (!tryCreate(path)) return undefined
  }
  const beat = setInterval(() => {
    try {
      const now = new Date()
      utimesSync(path, now, now)
    } catch {
      // Removed under us (e.g. `coin clean`); the build result is still written atomically.
    }
  }, HEARTBEAT_MS)
  beat.unref()
  return {
    release() {
      clearInterval(beat)
      rmSync(path, { force: true })
    },
  }
}

/** Waits until the lock can be taken; `onWait` is called once if we have to wait. */
export async function lock(path: string, signal: AbortSignal, onWait?: () => void): Promise<HeldLock> {
  let waited = false
  for (;;) {
    const held = tryLock(path)
    if (held) return held
    if (!waited) onWait?.()
    waited = true
    if (signal.aborted) throw signal.reason ?? new Error('aborted')
    await new Promise((r) => setTimeout(r, 100))
  }
}
