/**
 * Build locks: a live holder on this host keeps its lock however late its heartbeat (a blocked
 * event loop, SIGSTOP); a dead or recycled PID loses it; a taken-over holder does not delete its
 * successor's lock; orphaned locks are swept.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { isStale, STALE_MS, sweepLocks, tryLock } from '../../src/cache/lock.ts'
import { processStart } from '../../src/cache/process.ts'

const dir = () => mkdtempSync(join(tmpdir(), 'coin-locks-'))
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
