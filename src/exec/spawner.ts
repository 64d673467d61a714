/**
 * Starts commands from a small helper process instead of from coin's own. Linux copies a process's
 * page tables on every spawn (libuv forks), so the cost grows with the parent's memory: ~5 ms of
 * CPU per command from a 150 MiB coin mid-build against ~1 ms from a bare Node process, which was
 * most of a shell rule's per-target overhead. The helper is one `node -e` child per coin process,
 * started on the first command, talking over Node's IPC channel; it holds each command's pipes
 * and forwards their output.
 *
 * Commands get their own process group, and a kill signals the whole group (a trainer under
 * `cd … && python …` gets it too). If coin dies, the helper sees its channel close and sends
 * SIGTERM to every group still running, then exits: no command outlives the build unwatched.
 */
import { type ChildProcess, spawn } from 'node:child_process'

export interface SpawnRequest {
  file: string
  args: string[]
  cwd: string
  env: Record<string, string | undefined>
}

export interface SpawnHandlers {
  stdout(text: string): void
  stderr(text: string): void
}

export interface Exit {
  code: number | null
  signal: string | null
}

/** A command running in the helper. `kill` signals its process group. */
export interface Spawned {
  done: Promise<Exit>
  kill(signal?: NodeJS.Signals): void
}

type ToHelper = ({ t: 'run'; id: number } & SpawnRequest) | { t: 'kill'; id: number; signal: NodeJS.Signals }
type FromHelper =
  | { t: 'out'; id: number; fd: 1 | 2; s: string }
  | { t: 'exit'; id: number; code: number | null; signal: string | null }
  | { t: 'error'; id: number; message: string }

// Plain JavaScript run with `node -e`, so it works the same from src/ (tsx) and from dist/.
const HELPER_SOURCE = `
const { spawn } = require('node:child_process')
const running = new Map()
const send = (m) => { if (process.connected) process.send(m) }
process.on('message', (m) => {
  if (m.t === 'kill') {
    const c = running.get(m.id)
    if (c) try { process.kill(-c.pid, m.signal) } catch {}
    return
  }
  let c
  try {
    c = spawn(m.file, m.args, { cwd: m.cwd, env: m.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (err) {
    send({ t: 'error', id: m.id, message: String(err && err.message || err) })
    return
  }
  c.on('error', (err) => { running.delete(m.id); send({ t: 'error', id: m.id, message: err.message }) })
  if (c.pid === undefined) return
  running.set(m.id, c)
  c.stdout.setEncoding('utf8')
  c.stderr.setEncoding('utf8')
  c.stdout.on('data', (s) => send({ t: 'out', id: m.id, fd: 1, s }))
  c.stderr.on('data', (s) => send({ t: 'out', id: m.id, fd: 2, s }))
  c.on('close', (code, signal) => { running.delete(m.id); send({ t: 'exit', id: m.id, code, signal }) })
})
process.on('disconnect', () => {
  for (const c of running.values()) try { process.kill(-c.pid, 'SIGTERM') } catch {}
  process.exit(0)
})
`

interface Pending {
  handlers: SpawnHandlers
  resolve(exit: Exit): void
  reject(err: Error): void
}

let helper: ChildProcess | undefined
const pending = new Map<number, Pending>()
let nextId = 0

function startHelper(): ChildProcess {
  const child = spawn(process.execPath, ['-e', HELPER_SOURCE], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // Options meant for coin (a --cpu-prof, a loader) are not the helper's.
    env: { ...process.env, NODE_OPTIONS: '' },
  })
  child.on('message', (m: FromHelper) => {
    const p = pending.get(m.id)
    if (!p) return
    if (m.t === 'out') (m.fd === 1 ? p.handlers.stdout : p.handlers.stderr)(m.s)
    else {
      pending.delete(m.id)
      idle()
      if (m.t === 'exit') p.resolve({ code: m.code, signal: m.signal })
      else p.reject(new Error(m.message))
    }
  })
  child.on('exit', () => {
    helper = undefined
    for (const [id, p] of pending) {
      pending.delete(id)
      p.reject(new Error('the process that runs commands for coin exited unexpectedly'))
    }
  })
  return child
}

// The helper keeps coin alive only while a command runs in it.
function idle(): void {
  if (pending.size === 0 && helper) {
    helper.unref()
    helper.channel?.unref()
  }
}

function busy(child: ChildProcess): void {
  child.ref()
  child.channel?.ref()
}

/** Runs a command in the helper process (started on first use). */
export function spawnViaHelper(req: SpawnRequest, handlers: SpawnHandlers): Spawned {
  helper ??= startHelper()
  const child = helper
  const id = nextId++
  const done = new Promise<Exit>((resolve, reject) => pending.set(id, { handlers, resolve, reject }))
  busy(child)
  child.send({ t: 'run', id, ...req } satisfies ToHelper)
  return {
    done,
    kill(signal = 'SIGTERM') {
      if (pending.has(id) && child.connected) child.send({ t: 'kill', id, signal } satisfies ToHelper)
    },
  }
}

/**
 * Ends the helper once no command runs in it, and waits for it: its CPU time (and its commands')
 * is then accounted to coin, and no idle process is left behind a finished build.
 */
export async function stopSpawner(): Promise<void> {
  const child = helper
  if (!child || pending.size > 0) return
  helper = undefined
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  // Idle, the helper is unref'd: without this the process could end while we wait for it.
  child.ref()
  child.disconnect()
  await exited
}
