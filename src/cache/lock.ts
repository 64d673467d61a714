/**
 * Per-key build locks, so several `coin build` processes on one cache run each target once.
 * A lock is a file created with O_EXCL holding {pid, start, host, token}.
 *
 * On the same host the holder's liveness decides: a lock is taken over only when its process is
 * gone (PID and start time), never because its heartbeat is late. A holder whose event loop is
 * blocked by a long in-process rule, or which is stopped (SIGSTOP), still holds its locks. The
 * heartbeat (mtime touched every `HEARTBEAT_MS`) only matters for a holder on another host sharing
 * the cache (NFS), whose PID we cannot check: its lock is stale after `STALE_MS` without a beat.
 * No command ever needs `--unlock` (DVC #2797, Snakemake #2919).
 */
import { randomBytes } from 'node:crypto'
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeSync,
} from 'node:fs'
import { hostname } from 'node:os'
import { dirname, join } from 'node:path'
import { holderAlive, ownStart } from './process.ts'

export const HEARTBEAT_MS = 1000
export const STALE_MS = 10_000

export interface HeldLock {
  release(): void
}

interface LockInfo {
  pid: number
  start?: number
  host: string
  token: string
}

function tryCreate(path: string): string | undefined {
  mkdirSync(dirname(path), { recursive: true })
  const token = randomBytes(8).toString('hex')
  let fd: number
  try {
    fd = openSync(path, 'wx')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return undefined
    throw err
  }
  try {
    writeSync(
      fd,
      JSON.stringify({ pid: process.pid, start: ownStart, host: hostname(), token } satisfies LockInfo),
    )
  } catch (err) {
    // A full disk: leave no empty lock behind for others to puzzle over.
    closeSync(fd)
    rmSync(path, { force: true })
    throw err
  }
  closeSync(fd)
  return token
}

function readInfo(path: string): LockInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(path, 'utf8')) as LockInfo
    return typeof info?.pid === 'number' && typeof info.host === 'string' ? info : undefined
  } catch {
    return undefined
  }
}

/** True when the lock at `path` was left by a process that can no longer release it. */
export function isStale(path: string, now = Date.now()): boolean {
  let mtime: number
  try {
    mtime = statSync(path).mtimeMs
  } catch {
    return false // gone: not stale, just free
  }
  const info = readInfo(path)
  // Unreadable: being written this instant, or its writer died right after creating it.
  if (!info) return now - mtime > STALE_MS
  if (info.host === hostname()) return !holderAlive(info.pid, info.start)
  return now - mtime > STALE_MS
}

/** Takes the lock if free (or stale); returns undefined when another live process holds it. */
export function tryLock(path: string): HeldLock | undefined {
  let token = tryCreate(path)
  if (!token) {
    if (!isStale(path)) return undefined
    rmSync(path, { force: true })
    token = tryCreate(path)
    if (!token) return undefined
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
      // Only our own lock: if it was taken over (we were judged dead), the new holder keeps it.
      if (readInfo(path)?.token === token) rmSync(path, { force: true })
    },
  }
}

const never = new AbortController().signal

/** Waits until the lock can be taken; `onWait` is called once if we have to wait. */
export async function lock(
  path: string,
  signal: AbortSignal = never,
  onWait?: () => void,
): Promise<HeldLock> {
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

/** Removes lock files whose holder is gone (a killed build); returns how many. */
export function sweepLocks(dir: string): number {
  if (!existsSync(dir)) return 0
  let swept = 0
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (!name.endsWith('.lock') || !isStale(path)) continue
    rmSync(path, { force: true })
    swept++
  }
  return swept
}
