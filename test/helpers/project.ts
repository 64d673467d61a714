/**
 * A test rig for end-to-end tests: a temporary project directory that imports 'coin' the way an
 * installed package would (node_modules/coin → this repository), and a runner for the real CLI.
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BuildEvent } from '../../src/events.ts'
import { removeAtExit } from './temp.ts'

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url))
export const coinBin = join(repoRoot, 'bin', 'coin.js')

export interface RunResult {
  code: number
  stdout: string
  stderr: string
}

export interface BuildRun {
  code: number
  events: BuildEvent[]
  stderr: string
  outcomes: Record<string, string>
}

export class TempProject {
  readonly dir: string

  constructor(files: Record<string, string> = {}) {
    this.dir = mkdtempSync(join(tmpdir(), 'coin-test-'))
    removeAtExit(this.dir) // also when a test fails before its remove()
    mkdirSync(join(this.dir, 'node_modules'))
    symlinkSync(repoRoot, join(this.dir, 'node_modules', 'coin'))
    this.write({ 'package.json': '{ "type": "module" }\n', ...files })
  }

  write(files: Record<string, string>): void {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(this.dir, name)), { recursive: true })
      writeFileSync(join(this.dir, name), text)
    }
  }

  read(name: string): string {
    return readFileSync(join(this.dir, name), 'utf8')
  }

  path(name: string): string {
    return join(this.dir, name)
  }

  /** Runs `coin ...args` to completion. */
  coin(...args: string[]): RunResult {
    return this.coinIn('.', ...args)
  }

  /** Runs `coin ...args` to completion from `subdir` of the project (`.`: its root). */
  coinIn(subdir: string, ...args: string[]): RunResult {
    const r = spawnSync(process.execPath, [coinBin, ...args], {
      cwd: join(this.dir, subdir),
      encoding: 'utf8',
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
      // Generous: a full small main job takes ~2 min on a loaded 2-core machine.
      timeout: 600_000,
    })
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
  }

  /** Runs `coin ...args` to completion with extra environment variables (fault injection). */
  coinWith(env: Record<string, string>, ...args: string[]): RunResult {
    const r = spawnSync(process.execPath, [coinBin, ...args], {
      cwd: this.dir,
      encoding: 'utf8',
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', ...env },
      timeout: 120_000,
    })
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
  }

  /** Starts `coin ...args` without waiting (for kill and concurrency tests). */
  spawn(...args: string[]) {
    return spawn(process.execPath, [coinBin, ...args], {
      cwd: this.dir,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
  }

  /** `coin build --json ...` and its events. */
  build(...args: string[]): BuildRun {
    return this.buildIn('.', ...args)
  }

  /** `coin build --json ...` run from `subdir` of the project, and its events. */
  buildIn(subdir: string, ...args: string[]): BuildRun {
    const r = this.coinIn(subdir, 'build', '--json', ...args)
    const events = parseEvents(r.stdout)
    const outcomes: Record<string, string> = {}
    for (const e of events) if (e.event === 'target') outcomes[e.id] = e.outcome
    return { code: r.code, events, stderr: r.stderr, outcomes }
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true })
  }
}

export function parseEvents(stdout: string): BuildEvent[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as BuildEvent)
}

/** A small Coinfile: `data/upper` upper-cases a.txt `times` times, `data/count` counts its bytes. */
export const SIMPLE_COINFILE = `
import { appendFileSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { defineCoinfile, file, output, rule } from 'coin'

const upper = rule<{ times: number }>({
  name: 'upper',
  async run({ inputs, params, out, root }) {
    appendFileSync(root + '/runs.log', 'upper\\n')
    const text = await readFile(inputs.src as string, 'utf8')
    await writeFile(out + '/upper.txt', text.toUpperCase().repeat(params.times))
  },
})

const count = rule({
  name: 'count',
  async run({ inputs, out, root }) {
    appendFileSync(root + '/runs.log', 'count\\n')
    const text = await readFile(inputs.up + '/upper.txt', 'utf8')
    await writeFile(out + '/count.txt', String(text.length))
  },
})

export default defineCoinfile({
  params: { upper: { times: 2 } },
  targets: (p) => [
    upper('data/upper', { inputs: { src: file('a.txt') }, params: { times: p.upper.times } }),
    count('data/count', { inputs: { up: output('data/upper') } }),
  ],
})
`
