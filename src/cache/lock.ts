/**
 * Per-key build locks, so several `coin build` processes on one cache run each target once.
 * A lock is a file created with O_EXCL holding {pid, start, host, token}.
 *
 * On the same host the holder's liveness decides: a lock is taken over only when its process is
 * gone (PID and start time), never because its heartbeat is late. A holder whose event loop is
 * blocked by a long in-process rule, or which is stopped (SIGSTOP), still holds its locks. The
 * heartbeat (mtime touched every `HEARTBEAT_MS`) only matters for a holder on another host sharing
 * the cache (NFS), whose PID we cannot check: its lock is stale after `STALE_MS` without a beat.
 * The heartbeat runs on a worker thread, so a holder whose event loop is blocked for longer than
 * that (a `coin exec` worker on a compute node running a long synchronous step) keeps beating.
 * No command ever needs `--unlock` (DVC #2797, Snakemake #2919).
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, statSync, writeSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { inDir, removeFile } from './fs-ops.ts'
import { holderAlive, ownHost, ownStart } from './process.ts'

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

// Tells this process's holds apart (a lock broken as stale and taken by another holder is not ours
// to release). Unique per process: crypto's randomBytes cost ~28 µs a call, two locks a target.
let held = 0
const nonce = Math.random().toString(36).slice(2, 10)

function tryCreate(path: string): string | undefined {
  const token = `${nonce}${(held++).toString(36)}`
  let fd: number
  try {
    fd = inDir(dirname(path), () => openSync(path, 'wx'))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return undefined
    throw err
  }
  try {
    writeSync(
      fd,
      JSON.stringify({ pid: process.pid, start: ownStart, host: ownHost, token } satisfies LockInfo),
    )
  } catch (err) {
    // A full disk: leave no empty lock behind for others to puzzle over.
    closeSync(fd)
    removeFile(path)
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
  if (info.host === ownHost) return !holderAlive(info.pid, info.start)
  return now - mtime > STALE_MS
}

/** Takes the lock if free (or stale); returns undefined when another live process holds it. */
export function tryLock(path: string): HeldLock | undefined {
  let token = tryCreate(path)
  if (!token) {
    if (!isStale(path)) return undefined
    removeFile(path)
    token = tryCreate(path)
    if (!token) return undefined
  }
  const slot = beat(path, token)
  return {
    release() {
      unbeat(slot)
      // Only our own lock: if it was taken over (we were judged dead), the new holder keeps it.
      if (readInfo(path)?.token === token) removeFile(path)
    },
  }
}

/**
 * The heartbeat thread: every HEARTBEAT_MS it touches each held lock that still carries our token
 * (so a lock released, or taken over by another host, is never touched after). Held locks are
 * slots of a buffer shared with it (state, then the UTF-8 of `path\ntoken`): a message per lock
 * and per release cost ~0.25 ms each, about 1 ms of every target's run. Plain JavaScript (`eval`),
 * so it runs the same from src/ under tsx and from dist/. Unref'd: it never keeps the process alive.
 */
const SLOTS = 512
const SLOT_BYTES = 1024
const HEARTBEAT_SOURCE = `
const { workerData } = require('node:worker_threads')
const { readFileSync, utimesSync } = require('node:fs')
const state = new Int32Array(workerData.state)
const bytes = new Uint8Array(workerData.bytes)
const decoder = new TextDecoder()
setInterval(() => {
  for (let i = 0; i < state.length; i++) {
    const len = Atomics.load(state, i)
    if (len <= 0) continue
    const [path, token] = decoder.decode(bytes.slice(i * ${SLOT_BYTES}, i * ${SLOT_BYTES} + len)).split('\\n')
    // Released while we read it: skip (the slot may already name another lock).
    if (Atomics.load(state, i) !== len) continue
    try {
      if (JSON.parse(readFileSync(path, 'utf8')).token !== token) continue
      const now = new Date()
      utimesSync(path, now, now)
    } catch {
      // Removed under us (e.g. coin clean) or being rewritten; the next beat tries again.
    }
  }
}, ${HEARTBEAT_MS})
`

let shared: { state: Int32Array; bytes: Uint8Array; free: number[] } | undefined
const encoder = new TextEncoder()

/** Registers a held lock with the heartbeat thread; returns its slot (-1: none free, no beat). */
function beat(path: string, token: string): number {
  if (!shared) {
    const state = new SharedArrayBuffer(SLOTS * 4)
    const bytes = new SharedArrayBuffer(SLOTS * SLOT_BYTES)
    new Worker(HEARTBEAT_SOURCE, { eval: true, workerData: { state, bytes } }).unref()
    shared = {
      state: new Int32Array(state),
      bytes: new Uint8Array(bytes),
      free: Array.from({ length: SLOTS }, (_, i) => SLOTS - 1 - i),
    }
  }
  const text = encoder.encode(`${path}\n${token}`)
  const slot = shared.free.pop()
  if (slot === undefined || text.length > SLOT_BYTES) {
    if (slot !== undefined) shared.free.push(slot)
    return -1
  }
  shared.bytes.set(text, slot * SLOT_BYTES)
  Atomics.store(shared.state, slot, text.length)
  return slot
}

function unbeat(slot: number): void {
  if (slot < 0 || !shared) return
  Atomics.store(shared.state, slot, 0)
  shared.free.push(slot)
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
    removeFile(path)
    swept++
  }
  return swept
}
