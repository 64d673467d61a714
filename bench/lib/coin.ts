/** Running the real coin CLI (`node bin/coin.js build --json`) in a generated project, measured. */
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Measured, measure } from './proc.ts'

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url))
export const coinBin = join(repoRoot, 'bin', 'coin.js')
/** Preloaded with `node --import` to dump /proc/self/io at exit (see io-probe.mjs). */
export const ioProbe = join(repoRoot, 'bench', 'io-probe.mjs')

export interface DoneEvent {
  event: 'done'
  ok: boolean
  counts: Record<string, number>
  durationMs: number
}

export interface CoinRun extends Measured {
  done?: DoneEvent
  /** Target ids by outcome (only when asked for: parsing 10k lines is not free). */
  byOutcome?: Record<string, string[]>
}

export interface CoinOptions {
  jobs: number
  targets?: readonly string[]
  probeIo?: boolean
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeFlags?: readonly string[]
  collectIds?: boolean
  timeoutMs?: number
}

/** `coin build --json -j N [targets]` in `cwd`. */
export function coinBuild(cwd: string, o: CoinOptions): CoinRun {
  const args = [
    ...(o.nodeFlags ?? []),
    ...(o.probeIo ? ['--import', ioProbe] : []),
    coinBin,
    'build',
    '--json',
    '-j',
    String(o.jobs),
    ...(o.targets ?? []),
  ]
  const r: CoinRun = measure(process.execPath, args, { cwd, probeIo: o.probeIo, timeoutMs: o.timeoutMs })
  const lines = r.stdout.split('\n')
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i]!
    if (l.startsWith('{"event":"done"')) {
      r.done = JSON.parse(l) as DoneEvent
      break
    }
  }
  if (o.collectIds) {
    const by: Record<string, string[]> = {}
    for (const l of lines) {
      if (!l.startsWith('{"event":"target"')) continue
      const e = JSON.parse(l) as { id: string; outcome: string }
      const list = by[e.outcome] ?? []
      list.push(e.id)
      by[e.outcome] = list
    }
    r.byOutcome = by
  }
  return r
}

/** A one-line reason a coin run is not usable as a measurement, or undefined when it is. */
export function coinProblem(r: CoinRun): string | undefined {
  if (r.code !== 0 || !r.done?.ok)
    return `coin exited ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' | ') || r.stdout.slice(-300)}`
  return undefined
}
