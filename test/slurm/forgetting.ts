/**
 * The main job (`coin build results/forgetting`, the default Coinfile at small sizes) built twice
 * from empty caches, once with the local executor and once with `--executor slurm`, then compared:
 * the same targets and keys, every output file byte for byte (checkpoints, predictions, scores,
 * the rendered tables), the same rows in the DuckDB scores table and metrics view, and a second
 * Slurm build that is all fresh and calls sbatch zero times (counted by a wrapper on PATH).
 * Used by test/slurm/forgetting.test.ts (one task, CI) and bench/slurm-forgetting.ts (more tasks).
 */
import { spawn, spawnSync } from 'node:child_process'
import { chmodSync, cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { BuildEvent } from '../../src/events.ts'
import { idPattern } from '../../src/graph/graph.ts'
import { coinBin, parseEvents, repoRoot, TempProject } from '../helpers/project.ts'

export interface ForgettingRun {
  /** CoIN tasks of the reduced release (`--set tasks=...`), in training order. */
  tasks: string[]
  /** Training steps per stage (twice that for the base and the joint bound); default 20. */
  steps?: number
  /** Globs kept on the local executor in the Slurm build (`--local`); default none. */
  local?: string[]
}

export interface ForgettingComparison {
  targets: number
  /** Distinct keys among them (targets with equal keys run once). */
  keys: number
  /** Distinct keys of the targets kept local (`local` globs). */
  localKeys: number
  /** Targets the Slurm build ran or restored (from an equal key's record): all, when it succeeds. */
  ranOrRestored: number
  /** Targets the Slurm build ran as Slurm jobs (the rest ran locally or were restored). */
  slurmJobs: number
  files: number
  checkpoints: number
  scoreRows: number
  localSeconds: number
  slurmSeconds: number
  secondSlurmSeconds: number
  sbatchCalls: number
  sbatchCallsSecondBuild: number
  /** Everything that differs; empty when the builds agree. */
  mismatches: string[]
}

const run = (r: { code: number; stderr: string }) =>
  r.code === 0 ? '' : `exit ${r.code}: ${r.stderr.slice(-2000)}`

export function setsFor(o: ForgettingRun): string[] {
  const steps = o.steps ?? 20
  return [
    `tasks=${JSON.stringify(o.tasks)}`,
    'data.train=60',
    'data.test=20',
    `base.steps=${steps * 2}`,
    `multitask.steps=${steps * 2}`,
    'replay.perTask=5',
    ...o.tasks.map((t) => `stages.${t}.steps=${steps}`),
  ].flatMap((s) => ['--set', s])
}

export function mainJobProject(): TempProject {
  const p = new TempProject({ 'Coinfile.ts': readFileSync(join(repoRoot, 'Coinfile.ts'), 'utf8') })
  cpSync(join(repoRoot, 'datasets/templates'), p.path('datasets/templates'), { recursive: true })
  return p
}

/**
 * A directory holding an `sbatch` that logs its calls in `<dir>/calls` and runs the real one;
 * `submissions()` counts the calls that submit (not `sbatch --version`, which a build may ask).
 */
function sbatchCounter(p: TempProject): { dir: string; submissions(): number } {
  const real = spawnSync('sh', ['-c', 'command -v sbatch'], { encoding: 'utf8' }).stdout.trim()
  if (!real) throw new Error('sbatch is not on PATH')
  const dir = p.path('.sbatch-counter')
  mkdirSync(dir)
  const log = join(dir, 'calls')
  writeFileSync(log, '')
  writeFileSync(join(dir, 'sbatch'), `#!/bin/sh\necho "$(date +%s.%N) $*" >> '${log}'\nexec '${real}' "$@"\n`)
  chmodSync(join(dir, 'sbatch'), 0o755)
  return {
    dir,
    submissions: () =>
      readFileSync(log, 'utf8')
        .split('\n')
        .filter((l) => l.includes(' --parsable')).length,
  }
}

/** `coin build --json results/forgetting ...args`, asynchronously (the two builds overlap). */
async function build(p: TempProject, args: string[], path?: string) {
  const t0 = performance.now()
  const child = spawn(process.execPath, [coinBin, 'build', '--json', 'results/forgetting', ...args], {
    cwd: p.dir,
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', ...(path ? { PATH: path } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 1_800_000,
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c) => {
    stdout += c
  })
  child.stderr.on('data', (c) => {
    stderr += c
  })
  const code = await new Promise<number>((r) => child.on('close', (c) => r(c ?? -1)))
  return { code, stderr, events: parseEvents(stdout), seconds: (performance.now() - t0) / 1000 }
}

type TargetEvent = Extract<BuildEvent, { event: 'target' }>
const targets = (events: BuildEvent[]) => events.filter((e): e is TargetEvent => e.event === 'target')

/** Every materialised output file (cache/out/<id>.out/...) → its bytes. */
function outputs(p: TempProject): Map<string, Buffer> {
  const root = p.path('cache/out')
  const files = new Map<string, Buffer>()
  for (const f of readdirSync(root, { recursive: true }).map(String))
    if (/\.out\/./.test(f) && statSync(join(root, f)).isFile()) files.set(f, readFileSync(join(root, f)))
  return files
}

/** A results-database query's rows, as JSON lines (`coin query --json`), or the error. */
function query(p: TempProject, sql: string): string[] {
  const r = p.coin('query', '--json', sql)
  if (r.code !== 0) return [`query failed (exit ${r.code}): ${r.stderr}`]
  return r.stdout.split('\n').filter(Boolean)
}

export async function compareForgetting(o: ForgettingRun): Promise<ForgettingComparison> {
  const sets = setsFor(o)
  // As `--local` matches ids.
  const isLocal = (id: string) => (o.local ?? []).some((g) => idPattern(g).test(id))
  const local = mainJobProject()
  const remote = mainJobProject()
  const counter = sbatchCounter(remote)
  const path = `${counter.dir}:${process.env.PATH ?? ''}`
  const slurm = [
    '--executor',
    'slurm',
    '--slurm-poll',
    '250',
    ...(o.local ?? []).flatMap((g) => ['--local', g]),
  ]
  const mismatches: string[] = []
  try {
    // Side by side: the Slurm build mostly waits (for jobs to start, for polls), so the local
    // one uses the CPU it leaves; each has its own project and cache.
    const [a, b] = await Promise.all([build(local, sets), build(remote, [...sets, ...slurm], path)])
    for (const [what, r] of [
      ['local build', a],
      ['slurm build', b],
    ] as const)
      if (run(r)) mismatches.push(`${what}: ${run(r)}`)
    const sbatchCalls = counter.submissions()
    const keys = (r: { events: BuildEvent[] }) =>
      Object.fromEntries(targets(r.events).map((e) => [e.id, e.key]))
    const ka = keys(a)
    const kb = keys(b)
    for (const id of new Set([...Object.keys(ka), ...Object.keys(kb)]))
      if (ka[id] !== kb[id]) mismatches.push(`${id}: key ${ka[id]} locally, ${kb[id]} on Slurm`)
    const failed = targets(b.events).filter((e) => e.outcome === 'failed')
    for (const e of failed) mismatches.push(`${e.id} failed on Slurm: ${e.error}`)

    const mine = outputs(local)
    const theirs = outputs(remote)
    for (const f of new Set([...mine.keys(), ...theirs.keys()])) {
      const x = mine.get(f)
      const y = theirs.get(f)
      if (!x || !y) mismatches.push(`${f}: only in the ${x ? 'local' : 'Slurm'} cache`)
      else if (!x.equals(y)) mismatches.push(`${f}: bytes differ`)
    }
    // The scores table and the metrics computed from it (DuckDB files are not byte-deterministic:
    // README, so their rows are compared).
    let scoreRows = 0
    for (const sql of ['select * from scores order by all', 'select * from metrics order by all']) {
      const x = query(local, sql)
      const y = query(remote, sql)
      if (sql.includes('scores')) scoreRows = x.length
      if (x.length === 0) mismatches.push(`${sql}: no rows`)
      if (JSON.stringify(x) !== JSON.stringify(y))
        mismatches.push(`${sql}: ${x.length} rows locally, ${y.length} on Slurm, or different values`)
    }

    const again = await build(remote, [...sets, ...slurm], path)
    if (run(again)) mismatches.push(`second slurm build: ${run(again)}`)
    const notFresh = targets(again.events).filter((e) => e.outcome !== 'fresh')
    for (const e of notFresh) mismatches.push(`second build: ${e.id} ${e.outcome}`)
    const sbatchCallsSecondBuild = counter.submissions() - sbatchCalls

    // A target that went to Slurm reports "Slurm job <id> submitted" (progress) before it runs.
    const submitted = new Set(
      b.events.flatMap((e) =>
        e.event === 'progress' && /^Slurm job \S+ submitted$/.test(String(e.message)) ? [e.id] : [],
      ),
    )
    return {
      targets: targets(b.events).length,
      keys: new Set(targets(b.events).map((e) => e.key)).size,
      localKeys: new Set(targets(b.events).flatMap((e) => (isLocal(e.id) ? [e.key] : []))).size,
      ranOrRestored: targets(b.events).filter((e) => e.outcome === 'ran' || e.outcome === 'restored').length,
      slurmJobs: submitted.size,
      files: mine.size,
      checkpoints: [...mine.keys()].filter((f) => /\/weights[^/]*$/.test(f)).length,
      scoreRows,
      localSeconds: a.seconds,
      slurmSeconds: b.seconds,
      secondSlurmSeconds: again.seconds,
      sbatchCalls,
      sbatchCallsSecondBuild,
      mismatches,
    }
  } finally {
    if (!process.env.COIN_KEEP_PROJECTS) {
      local.remove()
      remote.remove()
    } else console.log(`kept ${local.dir} ${remote.dir}`)
  }
}
