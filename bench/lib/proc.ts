/**
 * Running one measured command: wall time from this process (hrtime around a blocking spawn), CPU
 * time and peak RSS from GNU time (`/usr/bin/time`, children included, as the kernel accounts them),
 * and optionally the command's /proc/<pid>/io counters through bench/io-probe.mjs.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const GNU_TIME = '/usr/bin/time'

export interface Measured {
  wallMs: number
  /** CPU time of the command and every child it waited for (undefined without GNU time). */
  userMs?: number
  sysMs?: number
  /** Peak resident set of the largest process in the tree, KiB (GNU time %M). */
  maxRssKB?: number
  code: number
  stdout: string
  stderr: string
  /** /proc/<pid>/io of the command at exit, when it ran with the io probe. */
  io?: Record<string, number>
}

export interface RunOptions {
  cwd: string
  env?: Record<string, string | undefined>
  /** Milliseconds before the command is killed (default 30 min). */
  timeoutMs?: number
  /** Set COIN_BENCH_IO so bench/io-probe.mjs (preloaded with --import) reports /proc/self/io. */
  probeIo?: boolean
}

let scratch: string | undefined
function scratchDir(): string {
  scratch ??= mkdtempSync(join(tmpdir(), 'coin-bench-proc-'))
  return scratch
}

/** Removes the temp files this module made (call once at the end). */
export function cleanupProc(): void {
  if (scratch) rmSync(scratch, { recursive: true, force: true })
  scratch = undefined
}

let n = 0

/** Runs `cmd args` to completion and measures it. Never throws for a non-zero exit; check `code`. */
export function measure(cmd: string, args: readonly string[], o: RunOptions): Measured {
  const id = `${process.pid}-${n++}`
  const timeFile = join(scratchDir(), `time-${id}`)
  const ioFile = join(scratchDir(), `io-${id}`)
  const useTime = existsSync(GNU_TIME)
  const [file, argv] = useTime
    ? [GNU_TIME, ['-f', '%e %U %S %M', '-o', timeFile, cmd, ...args]]
    : [cmd, [...args]]
  // SHLVL ≥ 1 as in a terminal: with SHLVL unset or 0 (what a process started by `nohup` or some
  // service managers sees), bash also sources ~/.bashrc when its stdin is a socket, which is what
  // zx gives the commands of coin's shell rules (see the stdio note below).
  const shlvl = Number(process.env.SHLVL ?? 0) >= 1 ? process.env.SHLVL : '1'
  const env: NodeJS.ProcessEnv = { ...process.env, SHLVL: shlvl, FORCE_COLOR: '0', NO_COLOR: '1', ...o.env }
  // Node reads and parses these extra CA certificates at every start (here the system's whole
  // bundle, 144 certificates: ~55 ms, more than the rest of Node's start-up); coin makes no TLS
  // connection. This machine sets it, a user's rarely does, so every tool runs without it; the
  // harness notes its cost (see harness.ts).
  if (!o.env || !('NODE_EXTRA_CA_CERTS' in o.env)) delete env.NODE_EXTRA_CA_CERTS
  if (o.probeIo) env.COIN_BENCH_IO = ioFile
  const t0 = process.hrtime.bigint()
  const r = spawnSync(file, argv, {
    cwd: o.cwd,
    env,
    // stdin from /dev/null, as for a command started from a terminal or CI. Node's default is a
    // socket, and bash (which coin's shell rules and Snakemake run every command with) treats a
    // socket on stdin as "started by rshd/sshd" and sources ~/.bashrc for each command (here that
    // runs `pyenv init`: 60–100 ms per target), unless SHLVL says it is a nested shell.
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    timeout: o.timeoutMs ?? 30 * 60_000,
  })
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6
  const out: Measured = {
    wallMs,
    code: r.status ?? (r.signal ? 128 : -1),
    stdout: r.stdout ?? '',
    stderr: r.stderr ?? '',
  }
  if (r.error) out.stderr += `\n${r.error.message}`
  if (useTime && existsSync(timeFile)) {
    // GNU time prefixes "Command exited with non-zero status N" lines; the numbers are on the last.
    const last = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? ''
    const [, user, sys, rss] = last.split(' ').map(Number)
    if (Number.isFinite(user)) out.userMs = user! * 1000
    if (Number.isFinite(sys)) out.sysMs = sys! * 1000
    if (Number.isFinite(rss)) out.maxRssKB = rss
    rmSync(timeFile, { force: true })
  }
  if (o.probeIo && existsSync(ioFile)) {
    out.io = parseProcIo(readFileSync(ioFile, 'utf8'))
    rmSync(ioFile, { force: true })
  }
  return out
}

/** `rchar: 123\nread_bytes: 0\n...` → `{ rchar: 123, read_bytes: 0, ... }`. */
export function parseProcIo(text: string): Record<string, number> {
  const out: Record<string, number> = {}
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s*(\d+)/.exec(line)
    if (m) out[m[1]!] = Number(m[2])
  }
  return out
}

/** Runs a command that must succeed (setup steps); throws with its output otherwise. */
export function mustRun(cmd: string, args: readonly string[], o: RunOptions): Measured {
  const r = measure(cmd, args, o)
  if (r.code !== 0)
    throw new Error(
      `${cmd} ${args.join(' ')} (in ${o.cwd}) exited ${r.code}\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`,
    )
  return r
}

/** True when `cmd` is on PATH (or is an existing absolute path). */
export function which(cmd: string): string | undefined {
  if (cmd.startsWith('/')) return existsSync(cmd) ? cmd : undefined
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, cmd))) return join(dir, cmd)
  }
  return undefined
}
