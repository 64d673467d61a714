/**
 * Build locks: a live holder on this host keeps its lock however late its heartbeat (a blocked
 * event loop, SIGSTOP); a dead or recycled PID loses it; a taken-over holder does not delete its
 * successor's lock; orphaned locks are swept.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { HEARTBEAT_MS, isStale, STALE_MS, sweepLocks, tryLock } from '../../src/cache/lock.ts'
import { processStart } from '../../src/cache/process.ts'
import { tempDir } from '../helpers/temp.ts'

const dir = () => tempDir('coin-locks-')
const deadPid = () => {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  })
  return Number(r.stdout)
}
const age = (path: string, ms: number) => {
  const t = new Date(Date.now() - ms)
  utimesSync(path, t, t)
}
const plant = (path: string, info: object) => {
  mkdirSync(join(path, '..'), { recursive: true })
  writeFileSync(path, JSON.stringify({ host: hostname(), token: 'x', ...info }))
}

test('a live holder on this host keeps its lock even when its heartbeat is long overdue', () => {
  const d = dir()
  const path = join(d, 'k.lock')
  plant(path, { pid: process.pid, start: processStart(process.pid) })
  age(path, STALE_MS * 6) // a minute without a beat: the event loop was blocked, or SIGSTOP
  assert.is(isStale(path), false)
  assert.is(tryLock(path), undefined, 'a second build must wait')
  rmSync(d, { recursive: true, force: true })
})

test('a dead holder, or a PID now used by another process, loses the lock at once', () => {
  const d = dir()
  const dead = join(d, 'dead.lock')
  plant(dead, { pid: deadPid() })
  assert.is(isStale(dead), true)
  const reused = join(d, 'reused.lock')
  plant(reused, { pid: process.pid, start: (processStart(process.pid) ?? 0) + 1 })
  if (processStart(process.pid) !== undefined) assert.is(isStale(reused), true, 'start time differs')
  const held = tryLock(dead)
  assert.ok(held, 'taken over')
  held!.release()
  rmSync(d, { recursive: true, force: true })
})

test('a lock of another host counts as stale only after STALE_MS without a heartbeat', () => {
  const d = dir()
  const path = join(d, 'remote.lock')
  writeFileSync(path, JSON.stringify({ pid: 1, host: 'some-other-host', token: 't' }))
  assert.is(isStale(path), false)
  age(path, STALE_MS + 1000)
  assert.is(isStale(path), true)
  rmSync(d, { recursive: true, force: true })
})

test('releasing a lock that was taken over leaves the new holder its lock', () => {
  const d = dir()
  const path = join(d, 'k.lock')
  const first = tryLock(path)!
  // Judged dead (say, by another host), its lock was replaced by another holder's.
  rmSync(path)
  plant(path, { pid: process.pid, start: processStart(process.pid), token: 'successor' })
  first.release()
  assert.ok(existsSync(path), "the successor's lock is still there")
  rmSync(d, { recursive: true, force: true })
})

test('the heartbeat goes on while the event loop is blocked (a holder on another host keeps its lock)', async () => {
  const d = dir()
  const path = join(d, 'k.lock')
  const held = tryLock(path)!
  // Seen from another host: only the heartbeat (mtime) tells that this holder is alive.
  const info = JSON.parse(readFileSync(path, 'utf8'))
  writeFileSync(path, JSON.stringify({ ...info, host: 'some-other-host' }))
  await new Promise((r) => setTimeout(r, 100)) // let the heartbeat thread start
  const blockMs = 3 * HEARTBEAT_MS
  const t0 = Date.now()
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, blockMs) // a long synchronous step
  const late = Date.now() - statSync(path).mtimeMs
  assert.ok(Date.now() - t0 >= blockMs - 50)
  // Judged with a staleness limit shorter than the block: beats must have landed during it.
  assert.ok(late < HEARTBEAT_MS + 500, `last beat ${late} ms ago after a ${blockMs} ms block`)
  assert.is(isStale(path, Date.now() + STALE_MS - (HEARTBEAT_MS + 500)), false)
  held.release()
  assert.not.ok(existsSync(path))
  // Released: no beat touches the path again (a later holder's lock is its own).
  writeFileSync(path, JSON.stringify({ ...info, token: 'successor' }))
  age(path, 5000)
  await new Promise((r) => setTimeout(r, 2 * HEARTBEAT_MS + 200))
  assert.ok(Date.now() - statSync(path).mtimeMs >= 5000, 'a released lock was touched')
  rmSync(d, { recursive: true, force: true })
})

test('sweepLocks removes the locks of dead processes and keeps live ones', () => {
  const d = dir()
  plant(join(d, 'a.lock'), { pid: deadPid() })
  plant(join(d, 'b.lock'), { pid: process.pid, start: processStart(process.pid) })
  assert.is(sweepLocks(d), 1)
  assert.ok(existsSync(join(d, 'b.lock')))
  assert.not.ok(existsSync(join(d, 'a.lock')))
  rmSync(d, { recursive: true, force: true })
})

test.run()
