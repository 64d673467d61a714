/**
 * The fault suite's harness: a sandbox (a project, its cache, and an `outside/` folder of canary
 * files that nothing may touch), the real coin CLI run as child processes, and the checks every
 * trial ends with: a clean build exits 0 and reproduces the reference outputs byte for byte.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { FAULT_COINFILE } from './coinfile.ts'

export const repoRoot = fileURLToPath(new URL('..', import.meta.url))
export const coinBin = join(repoRoot, 'bin', 'coin.js')

export interface Run {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  ms: number
}

/** One trial's verdict; `wrong`, `exit70` and `outside` are the suite's three hard failures. */
export interface Verdict {
  ok: boolean
  wrong?: boolean
  exit70?: boolean
  outside?: boolean
  note?: string
}

export class Sandbox {
  readonly root = mkdtempSync(join(tmpdir(), 'coin-faults-'))
  readonly project = join(this.root, 'project')
  readonly outside = join(this.root, 'outside')
  #canary = ''

  constructor(coinfile = FAULT_COINFILE) {
    mkdirSync(join(this.project, 'node_modules'), { recursive: true })
    symlinkSync(repoRoot, join(this.project, 'node_modules', 'coin'))
    this.write({ 'package.json': '{ "type": "module" }\n', 'Coinfile.ts': coinfile, 'seed.txt': 'seed-1\n' })
    mkdirSync(this.outside, { recursive: true })
    writeFileSync(join(this.outside, 'canary.txt'), 'do not touch\n', { mode: 0o644 })
    writeFileSync(join(this.outside, 'victim'), 'do not delete\n', { mode: 0o644 })
    this.#canary = this.outsideSnapshot()
  }

  write(files: Record<string, string>): void {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(this.project, name)), { recursive: true })
      writeFileSync(join(this.project, name), text)
    }
  }

  path(rel: string): string {
    return join(this.project, rel)
  }

  /** Everything in the sandbox outside the project: names, sizes, modes, contents' hashes. */
  outsideSnapshot(): string {
    const lines: string[] = []
    const walk = (dir: string) => {
      for (const name of readdirSync(dir).sort()) {
        const p = join(dir, name)
        if (p === this.project) continue
        const st = lstatSync(p)
        if (st.isDirectory()) walk(p)
        else lines.push(`${p} ${st.size} ${st.mode} ${hash(readFileSync(p))}`)
      }
    }
    walk(this.root)
    return lines.join('\n')
  }

  outsideTouched(): boolean {
    return this.outsideSnapshot() !== this.#canary
  }

  spawn(args: string[], env: Record<string, string> = {}, detached = false): ChildProcess {
    return spawn(process.execPath, [coinBin, ...args], {
      cwd: this.project,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached,
    })
  }

  coin(args: string[], env: Record<string, string> = {}, timeoutMs = 180_000): Promise<Run> {
    return collect(this.spawn(args, env), timeoutMs)
  }

  /** Digest of every materialised output folder and every published file: the build's result. */
  results(): Record<string, string> {
    const out: Record<string, string> = {}
    const outRoot = this.path('cache/out')
    const walk = (dir: string, rel: string) => {
      if (!existsSync(dir)) return
      for (const name of readdirSync(dir).sort()) {
        const p = join(dir, name)
        const r = rel ? `${rel}/${name}` : name
        if (name.endsWith('.out') && lstatSync(p).isDirectory()) out[r.slice(0, -4)] = treeDigest(p)
        else if (lstatSync(p).isDirectory()) walk(p, r)
      }
    }
    walk(outRoot, '')
    if (existsSync(this.path('results'))) out['<published results/>'] = treeDigest(this.path('results'))
    return out
  }

  /** Number of times each `<rule>:<key>` ran (the fault Coinfile appends to runs.log). */
  runCounts(): Map<string, number> {
    const counts = new Map<string, number>()
    if (!existsSync(this.path('runs.log'))) return counts
    for (const line of readFileSync(this.path('runs.log'), 'utf8').split('\n'))
      if (line) counts.set(line, (counts.get(line) ?? 0) + 1)
    return counts
  }

  /** How many times a rule's body ran, over all its keys. */
  runsOf(rule: string): number {
    let n = 0
    for (const [k, c] of this.runCounts()) if (k.startsWith(`${rule}:`)) n += c
    return n
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true })
  }
}

export const hash = (data: Buffer | string) => createHash('sha256').update(data).digest('hex').slice(0, 16)

export function treeDigest(dir: string): string {
  const h = createHash('sha256')
  const walk = (d: string, rel: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name)
      const r = rel ? `${rel}/${name}` : name
      const st = lstatSync(p)
      if (st.isDirectory()) walk(p, r)
      else h.update(`${r}\0${st.isSymbolicLink() ? 'LINK' : hash(readFileSync(p))}\n`)
    }
  }
  walk(dir, '')
  return h.digest('hex').slice(0, 16)
}

export function collect(child: ChildProcess, timeoutMs = 180_000): Promise<Run> {
  const t0 = Date.now()
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (c) => {
    stdout += c
  })
  child.stderr?.on('data', (c) => {
    stderr += c
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  return new Promise((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr, ms: Date.now() - t0 })
    }),
  )
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export async function waitFor(cond: () => boolean, ms = 60_000): Promise<boolean> {
  const t0 = Date.now()
  while (!cond()) {
    if (Date.now() - t0 > ms) return false
    await sleep(25)
  }
  return true
}

/** A deterministic PRNG (mulberry32) so a run's trials can be replayed from its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export const isExit70 = (r: Run) => r.code === 70 || /internal error|bug in coin/.test(r.stderr)

/**
 * The end of every trial: a clean build (no faults) must exit 0 and give the reference results,
 * and nothing outside the project may have changed.
 */
export async function settle(
  sb: Sandbox,
  reference: Record<string, string>,
  note = '',
  build: { args?: string[]; env?: Record<string, string> } = {},
): Promise<Verdict> {
  const r = await sb.coin(['build', ...(build.args ?? [])], build.env)
  const exit70 = isExit70(r)
  const outside = sb.outsideTouched()
  const got = sb.results()
  const wrong = r.code !== 0 || JSON.stringify(got) !== JSON.stringify(reference)
  const diff = wrong
    ? Object.keys({ ...got, ...reference })
        .filter((k) => got[k] !== reference[k])
        .slice(0, 3)
        .join(', ')
    : ''
  return {
    ok: !wrong && !exit70 && !outside,
    wrong,
    exit70,
    outside,
    note: wrong ? `${note} clean build exit ${r.code}; differs: ${diff} ${r.stderr.slice(0, 300)}` : note,
  }
}

/** Runs `tasks` with at most `n` at a time. */
export async function pool<T>(tasks: (() => Promise<T>)[], n: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length)
  let next = 0
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < tasks.length) {
        const i = next++
        results[i] = await tasks[i]!()
      }
    }),
  )
  return results
}
