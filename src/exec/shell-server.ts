/**
 * Runs shell commands as background subshells of long-lived bash processes (shell-server.bash):
 * one per command running at a time in this coin process, started as needed and reused.
 *
 * Why: a command started from Node costs a fork of the Node process (libuv forks: the kernel copies
 * its page tables, and every page either side then writes faults) plus a fresh bash's start-up. On
 * the 2-core VMs, 500 `cksum` commands cost ~10 ms of CPU each through a Node helper process and
 * `bash -c`, ~1.4 ms in a plain shell loop. A subshell of a running bash is one fork of a small
 * process, as a shell loop's command is, and bash execs a simple command in place.
 *
 * A command runs as `bash -c 'set -euo pipefail;…'` would run it: errexit, nounset and pipefail on,
 * in its cwd, with its extra environment and stdin from /dev/null, in its own process group (the
 * server has `set -m`), so a kill reaches everything it started. One difference is handled here:
 * in a subshell `$$` is the server's pid, so a command that mentions `$$` runs in its own bash.
 *
 * Its stdout and stderr go to two files that are read while it runs (every 250 ms) and at its end:
 * bash cannot hand coin a pipe per command without starting another process.
 *
 * Protocol. Requests on a server's stdin, NUL-separated: id, cwd, stdout file, stderr file, n,
 * n × NAME=VALUE, command. Replies on its stdout, a line each: `s ID PID` (started: PID leads the
 * command's process group) and `x ID STATUS` (ended, from `wait`: 128+N when killed by signal N;
 * also for a command that could not start, a syntax error or a missing cwd, explained in its
 * stderr file). A server waits for its command right after starting it (`wait PID`, bash's most
 * used idiom: a server that also took new requests meanwhile had to sleep in `wait -n`, and bash
 * then lost exits it had reaped and forgotten). fd 3 is a pipe never written: when coin exits or
 * dies it closes, and the server's watchdog makes it send SIGTERM to its command and exit.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { closeSync, openSync, readFileSync, readSync, unlinkSync } from 'node:fs'
import type { Socket } from 'node:net'
import { constants } from 'node:os'
import { StringDecoder } from 'node:string_decoder'

export interface ShellRequest {
  /** The command line, as bash reads it (already quoted). */
  command: string
  cwd: string
  /** Set for this command, on top of coin's own environment. */
  env: Record<string, string>
  /** Where its output goes while it runs; both are removed once read. */
  stdoutFile: string
  stderrFile: string
}

export interface OutputHandlers {
  stdout(text: string): void
  stderr(text: string): void
}

export interface Exit {
  /** The shell's status: 128+N when the command was killed by signal N. */
  code: number
  /** The signal's name when code is 128+N (a command may also exit with such a code itself). */
  signal: string | null
}

/** A running command. `kill` signals its process group. */
export interface RunningCommand {
  done: Promise<Exit>
  kill(signal?: NodeJS.Signals): void
}

const POLL_MS = 250
// Every read is synchronous, so all servers share one buffer, and one copy of the script.
const buffer = Buffer.allocUnsafe(1 << 16)
let script: string | undefined

/** One of a command's two output files, read from where the last read stopped. */
class OutputFile {
  #fd: number | undefined
  #missing = false
  readonly #decoder = new StringDecoder('utf8')

  constructor(
    readonly path: string,
    readonly sink: (text: string) => void,
  ) {}

  drain(): void {
    if (this.#fd === undefined && !this.#missing) {
      try {
        this.#fd = openSync(this.path, 'r')
      } catch {
        // Not created yet (the command has not started), or never (it could not start).
        return
      }
    }
    if (this.#fd === undefined) return
    for (;;) {
      const n = readSync(this.#fd, buffer, 0, buffer.length, null)
      if (n === 0) return
      this.sink(this.#decoder.write(buffer.subarray(0, n)))
    }
  }

  close(): void {
    this.drain()
    const rest = this.#decoder.end()
    if (rest) this.sink(rest)
    if (this.#fd !== undefined) closeSync(this.#fd)
    this.#fd = undefined
    this.#missing = true
    try {
      unlinkSync(this.path)
    } catch {}
  }
}

interface Job {
  id: number
  pid?: number
  /** A kill asked for before the server replied with the pid. */
  killWith?: NodeJS.Signals
  out: OutputFile
  err: OutputFile
  resolve(exit: Exit): void
  reject(err: Error): void
  poll?: NodeJS.Timeout
}

const signalNames = new Map(Object.entries(constants.signals).map(([name, n]) => [n, name]))

const exitOf = (status: number): Exit => ({
  code: status,
  signal: status > 128 ? (signalNames.get(status - 128) ?? null) : null,
})

/** One bash, running one command at a time. */
class ShellServer {
  readonly #child: ChildProcess
  readonly exited: Promise<void>
  /** The command it runs now. */
  #job: Job | undefined
  #nextId = 0
  #replies = ''

  constructor() {
    script ??= readFileSync(new URL('./shell-server.bash', import.meta.url), 'utf8')
    this.#child = spawn('bash', ['--norc', '--noprofile', '-c', script, 'bash'], {
      stdio: ['pipe', 'pipe', 'ignore', 'pipe'],
    })
    this.#child.stdio[3]?.on('error', () => {})
    this.#child.stdout?.setEncoding('utf8')
    this.#child.stdout?.on('data', (s: string) => this.#onReplies(s))
    // A write after the server died: its exit handler reports it.
    this.#child.stdin?.on('error', () => {})
    this.exited = new Promise((resolve) => {
      this.#child.on('exit', (code, signal) => {
        this.#lost(signal ? `was killed by ${signal}` : `exited with code ${code}`)
        resolve()
      })
      this.#child.on('error', (err) => {
        this.#lost(`could not start: ${err.message}`)
        resolve()
      })
    })
  }

  get idle(): boolean {
    return this.#job === undefined
  }

  /** Starts a command; the server must be idle. */
  run(req: ShellRequest, handlers: OutputHandlers): RunningCommand {
    const id = this.#nextId++
    const env = Object.entries(req.env).map(([k, v]) => `${k}=${v}`)
    const fields = [
      String(id),
      req.cwd,
      req.stdoutFile,
      req.stderrFile,
      String(env.length),
      ...env,
      req.command,
    ]
    if (fields.some((f) => f.includes('\0')))
      return {
        done: Promise.reject(new Error('a command or its environment contains a NUL byte')),
        kill() {},
      }
    let job!: Job
    const done = new Promise<Exit>((resolve, reject) => {
      job = {
        id,
        out: new OutputFile(req.stdoutFile, handlers.stdout),
        err: new OutputFile(req.stderrFile, handlers.stderr),
        resolve,
        reject,
      }
    })
    job.poll = setTimeout(() => this.#poll(job), POLL_MS)
    this.#job = job
    this.#busy()
    this.#child.stdin?.write(`${fields.join('\0')}\0`)
    return {
      done,
      kill: (signal = 'SIGTERM') => {
        if (this.#job !== job) return
        if (job.pid === undefined) job.killWith = signal
        else signalGroup(job.pid, signal)
      },
    }
  }

  /** Ends the server (no command runs): at the end of its stdin it exits. */
  async stop(): Promise<void> {
    this.#child.ref()
    this.#child.stdin?.end()
    await this.exited
    ;(this.#child.stdio[3] as Socket | null)?.destroy()
  }

  #onReplies(text: string): void {
    this.#replies += text
    for (let nl = this.#replies.indexOf('\n'); nl >= 0; nl = this.#replies.indexOf('\n')) {
      const [kind, id, n] = this.#replies.slice(0, nl).split(' ')
      this.#replies = this.#replies.slice(nl + 1)
      const job = this.#job
      if (job?.id !== Number(id)) continue
      if (kind === 's') {
        job.pid = Number(n)
        if (job.killWith) signalGroup(job.pid, job.killWith)
      } else if (kind === 'x') this.#finish(job, exitOf(Number(n)))
    }
  }

  // While a command runs: its new output.
  #poll(job: Job): void {
    job.out.drain()
    job.err.drain()
    job.poll = setTimeout(() => this.#poll(job), POLL_MS)
  }

  #finish(job: Job, exit: Exit): void {
    clearTimeout(job.poll)
    this.#job = undefined
    this.#unbusy()
    try {
      job.out.close()
      job.err.close()
    } catch (err) {
      job.reject(err as Error)
      return
    }
    job.resolve(exit)
  }

  #lost(how: string): void {
    const job = this.#job
    if (job) {
      clearTimeout(job.poll)
      job.reject(new Error(`the shell that runs commands for coin ${how}`))
    }
    this.#job = undefined
    const i = servers.indexOf(this)
    if (i >= 0) servers.splice(i, 1)
  }

  // The server keeps coin's event loop alive only while its command runs.
  #busy(): void {
    this.#child.ref()
    for (const s of this.#child.stdio) (s as Socket | null)?.ref?.()
  }

  #unbusy(): void {
    this.#child.unref()
    for (const s of this.#child.stdio) (s as Socket | null)?.unref?.()
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    // Already gone.
  }
}

/** This process's servers; each runs one command at a time. */
const servers: ShellServer[] = []

/**
 * Runs a command in an idle shell server of this process (one is started when none is idle). A
 * command that mentions `$$` runs in its own `bash -c`, where `$$` is its own pid as users expect,
 * not the server's.
 */
export function runShell(req: ShellRequest, handlers: OutputHandlers): RunningCommand {
  let server = servers.find((s) => s.idle)
  if (!server) {
    server = new ShellServer()
    servers.push(server)
  }
  const command = req.command.includes('$$')
    ? `exec bash -c ${singleQuoted(`set -euo pipefail;${req.command}`)}`
    : req.command
  return server.run({ ...req, command }, handlers)
}

const singleQuoted = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`

/**
 * Ends the shell servers once no command runs in any, and waits for them: their CPU time (and
 * their commands') is then accounted to coin, and no idle process is left behind a finished build.
 */
export async function stopShellServer(): Promise<void> {
  if (servers.some((s) => !s.idle)) return
  const all = servers.splice(0)
  await Promise.all(all.map((s) => s.stop()))
}
