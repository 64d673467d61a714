/**
 * Workloads 1, 2 and 4 on the continual-learning DAG (bench/gen/dag.ts), for one size:
 *  - full:        build from scratch at -j N (coin with shell rules and with in-process rules, Make,
 *                 Snakemake, and the bare commands in one shell script as the floor);
 *  - noop:        everything up to date; coin must report every target fresh;
 *  - incremental: change the content of one data file in the middle of one chain, rebuild, count
 *                 what reran (coin from its events, Make/Snakemake from the outputs' mtimes).
 * Runs alternate between tools, starting with a different tool each repetition.
 */
import { readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  affectedBy,
  type DagTool,
  dataFile,
  nodes,
  type Shape,
  shapeFor,
  targetCount,
  writeDagProjects,
} from '../gen/dag.ts'
import { type CoinRun, coinBuild, coinProblem, repoRoot } from '../lib/coin.ts'
import { type Measured, measure } from '../lib/proc.ts'
import { rotate } from '../lib/stats.ts'
import type { Run } from '../lib/types.ts'

export interface DagContext {
  workDir: string
  jobs: number
  reps: number
  fullReps: number
  warmup: number
  /** Paths of the available peers (absent: skipped). */
  make?: string
  snakemake?: string
  /** Snakemake full builds above this many targets are skipped (they take minutes). */
  snakemakeFullMax: number
  /** Run the full build (else the projects are built once, unmeasured, before the no-op). */
  full: boolean
  noop: boolean
  incremental: boolean
  log(line: string): void
  record(run: Run): void
}

const COIN: DagTool[] = ['coin-shell', 'coin-inproc']

function measureTool(tool: DagTool, dir: string, ctx: DagContext, collectIds = false): CoinRun {
  switch (tool) {
    case 'coin-shell':
    case 'coin-inproc':
      return coinBuild(dir, { jobs: ctx.jobs, collectIds })
    case 'make':
      return measure(ctx.make!, ['-j', String(ctx.jobs)], { cwd: dir })
    case 'snakemake':
      return measure(ctx.snakemake!, ['--cores', String(ctx.jobs), '--quiet'], { cwd: dir })
    case 'bare':
      return measure('/bin/sh', ['bare.sh'], { cwd: dir })
  }
}

function clean(tool: DagTool, dir: string): void {
  if (tool === 'coin-shell' || tool === 'coin-inproc')
    rmSync(join(dir, 'cache'), { recursive: true, force: true })
  else {
    rmSync(join(dir, 'build'), { recursive: true, force: true })
    if (tool === 'snakemake') rmSync(join(dir, '.snakemake'), { recursive: true, force: true })
  }
}

function base(m: Measured, workload: Run['workload'], size: number, tool: string, rep: number): Run {
  return {
    workload,
    size,
    case: '',
    tool,
    rep,
    wallMs: m.wallMs,
    userMs: m.userMs,
    sysMs: m.sysMs,
    maxRssKB: m.maxRssKB,
    code: m.code,
  }
}

function toolError(tool: DagTool, m: Measured): string | undefined {
  if (tool === 'coin-shell' || tool === 'coin-inproc') return coinProblem(m)
  if (m.code !== 0) return `${tool} exited ${m.code}: ${m.stderr.trim().split('\n').slice(-3).join(' | ')}`
  return undefined
}

/** mtime (ns) of every file under build/, for counting what Make/Snakemake rewrote. */
function snapshot(dir: string): Map<string, bigint> {
  const out = new Map<string, bigint>()
  const b = join(dir, 'build')
  let names: string[] = []
  try {
    names = readdirSync(b)
  } catch {
    return out
  }
  for (const name of names) out.set(name, statSync(join(b, name), { bigint: true }).mtimeNs)
  return out
}

/** Runs the DAG workloads at (about) `n` targets; returns the exact target count used. */
export function runDag(n: number, ctx: DagContext): number {
  const shape = shapeFor(n)
  const size = targetCount(shape)
  const root = join(ctx.workDir, `dag-${size}`)
  rmSync(root, { recursive: true, force: true })
  const tools: DagTool[] = [...COIN]
  if (ctx.make) tools.push('make')
  if (ctx.snakemake) tools.push('snakemake')
  if (ctx.full) tools.push('bare')
  writeDagProjects(root, shape, tools, repoRoot)
  ctx.log(
    `DAG ${size} targets (${shape.chains} chains × ${shape.stages} stages × ${shape.evals} evals) in ${root}`,
  )
  const dirOf = (t: DagTool) => join(root, t)

  // ---- full build from scratch ----
  const fullTools = tools.filter((t) => t !== 'snakemake' || size <= ctx.snakemakeFullMax)
  if (ctx.full && ctx.snakemake && !fullTools.includes('snakemake'))
    ctx.log(
      `  full: snakemake at ${size} targets is above --snakemake-full-max ${ctx.snakemakeFullMax}: one run`,
    )
  if (ctx.full) {
    for (let rep = -ctx.warmup; rep < ctx.fullReps; rep++) {
      for (const tool of rotate(fullTools, rep + ctx.warmup)) {
        clean(tool, dirOf(tool))
        const m = measureTool(tool, dirOf(tool), ctx)
        const run = base(m, 'full', size, tool, rep)
        run.error = toolError(tool, m)
        if (m.done) {
          run.counts = m.done.counts
          run.engineMs = m.done.durationMs
          if (!run.error && m.done.counts.ran !== size)
            run.error = `coin ran ${m.done.counts.ran} of ${size} targets on a build from scratch`
        }
        ctx.record(run)
        ctx.log(
          `  full ${tool.padEnd(11)} rep ${rep}: ${m.wallMs.toFixed(0)} ms${run.error ? `  ERROR ${run.error}` : ''}`,
        )
      }
    }
  }
  // Whatever was not built above (Snakemake at large sizes, or no full workload) is built once now.
  // A full build of Snakemake skipped above is still recorded, as one repetition: it costs minutes
  // and has to happen anyway.
  for (const tool of tools) {
    if (tool === 'bare' || (ctx.full && fullTools.includes(tool))) continue
    const once = ctx.full && tool === 'snakemake'
    ctx.log(
      `  building ${tool} once${once ? ' (measured as the only full-build repetition)' : ' (unmeasured)'}…`,
    )
    clean(tool, dirOf(tool))
    const m = measureTool(tool, dirOf(tool), ctx)
    const err = toolError(tool, m)
    if (err) throw new Error(`initial ${tool} build failed: ${err}`)
    if (once) {
      ctx.record(base(m, 'full', size, tool, 0))
      ctx.log(`  full ${tool.padEnd(11)} rep 0: ${m.wallMs.toFixed(0)} ms`)
    }
  }

  // ---- no-op ----
  const noopTools = tools.filter((t) => t !== 'bare' && t !== 'coin-inproc')
  if (ctx.noop) {
    for (let rep = -ctx.warmup; rep < ctx.reps; rep++) {
      for (const tool of rotate(noopTools, rep + ctx.warmup)) {
        const m = measureTool(tool, dirOf(tool), ctx)
        const run = base(m, 'noop', size, tool, rep)
        run.error = toolError(tool, m)
        if (m.done) {
          run.counts = m.done.counts
          run.engineMs = m.done.durationMs
          if (!run.error && m.done.counts.fresh !== size)
            run.error = `coin no-op: ${m.done.counts.fresh} of ${size} targets fresh (${JSON.stringify(m.done.counts)})`
        }
        ctx.record(run)
        ctx.log(
          `  noop ${tool.padEnd(11)} rep ${rep}: ${m.wallMs.toFixed(0)} ms${run.error ? `  ERROR ${run.error}` : ''}`,
        )
      }
    }
  }

  // ---- incremental: change one data file in the middle of a chain ----
  if (ctx.incremental) {
    const c = Math.floor(shape.chains / 2)
    const s = Math.floor(shape.stages / 2)
    const affected = affectedBy(shape, c, s)
    const fileOf = new Map(nodes(shape).map((x) => [x.id, x.file]))
    const affectedFiles = new Set(affected.map((id) => fileOf.get(id)!))
    const incTools = tools.filter((t) => t !== 'bare')
    for (let rep = -ctx.warmup; rep < ctx.reps; rep++) {
      // New content every repetition (never a previous one, which coin would restore from its cache).
      const content = `task c${c} s${s} edit ${rep} ${process.pid} ${Date.now()}\n`
      for (const t of incTools) writeFileSync(join(dirOf(t), dataFile(c, s)), content)
      for (const tool of rotate(incTools, rep + ctx.warmup)) {
        const dir = dirOf(tool)
        const isCoin = tool === 'coin-shell' || tool === 'coin-inproc'
        const before = isCoin ? undefined : snapshot(dir)
        const m = measureTool(tool, dir, ctx, true)
        const run = base(m, 'incremental', size, tool, rep)
        run.error = toolError(tool, m)
        run.expected = affected.length
        if (isCoin && m.done) {
          run.counts = m.done.counts
          run.engineMs = m.done.durationMs
          const ran = new Set(m.byOutcome?.ran ?? [])
          run.rerun = ran.size
          run.exact = ran.size === affected.length && affected.every((id) => ran.has(id))
        } else if (before) {
          const after = snapshot(dir)
          const changed = [...after].filter(([f, t]) => before.get(f) !== t).map(([f]) => f)
          run.rerun = changed.length
          run.exact = changed.length === affectedFiles.size && changed.every((f) => affectedFiles.has(f))
        }
        ctx.record(run)
        ctx.log(
          `  incr ${tool.padEnd(11)} rep ${rep}: ${m.wallMs.toFixed(0)} ms, reran ${run.rerun}/${affected.length}${run.exact ? '' : ' (NOT exact)'}${run.error ? `  ERROR ${run.error}` : ''}`,
        )
      }
    }
  }
  return size
}

export type { Shape }
