/**
 * The benchmark harness: finds (or installs) the peers, generates the workloads in a scratch
 * directory, runs them (tools alternating, warm-ups first), profiles coin, and writes
 * `results.json` (every run) and `RESULTS.md` (the tables). Results are written after each
 * workload, so an interrupted run still leaves what it measured.
 */

import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, hostname, loadavg, tmpdir, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { repoRoot } from './lib/coin.ts'
import { summarizeProfile } from './lib/cpuprofile.ts'
import { ensureTools, type ToolName } from './lib/peers.ts'
import { cleanupProc, measure } from './lib/proc.ts'
import { renderResults } from './lib/report.ts'
import type { BenchOptions, Results, Run } from './lib/types.ts'
import { profileCoin } from './profile.ts'
import { runDag } from './workloads/dag.ts'
import { runHashing } from './workloads/hashing.ts'

export async function runBench(o: BenchOptions, log: (line: string) => void = console.log): Promise<Results> {
  const t0 = Date.now()
  const load = loadavg()
  const has = (w: BenchOptions['workloads'][number]) => o.workloads.includes(w)
  const dagWanted = has('noop') || has('full') || has('incremental') || has('memory')
  const want: ToolName[] = ['time']
  if (dagWanted) for (const p of o.peers) if (p === 'make' || p === 'snakemake') want.push(p)
  if (has('hashing')) want.push('sha256sum', 'b3sum', 'xxhsum')
  const tools = ensureTools(want, { install: o.install, log })
  const path = (t: ToolName) => tools.get(t)?.path

  const notes: string[] = []
  if (!path('time')) notes.push('GNU time missing: no CPU times or peak RSS.')
  for (const p of o.peers)
    if (dagWanted && (p === 'make' || p === 'snakemake') && !path(p))
      notes.push(`${p} skipped: ${tools.get(p)?.skipped ?? 'not available'}`)

  notes.push(
    `Commands: coin \`node bin/coin.js build --json -j ${o.jobs}\` (the JSON event stream is how the harness checks outcomes); Make \`make -j ${o.jobs}\` on a generated Makefile with one explicit rule per target and built-in rules off; Snakemake \`snakemake --cores ${o.jobs} --quiet\` on a Snakefile with one wildcard rule per kind (default scheduler and rerun triggers); bare: the same commands in one \`sh\` script.`,
    "Every target runs `cksum <inputs> > <output>`, so a changed input changes every downstream output for every tool (coin's early cutoff does not apply) and all three rerun the same set.",
  )
  if (o.peers.includes('snakemake') && o.fullSizes.some((n) => n > o.snakemakeFullMax))
    notes.push(
      `Snakemake's full build above ${o.snakemakeFullMax} targets takes minutes, so it ran once (the build its no-op needs anyway): one repetition, no warm-up.`,
    )
  if (has('hashing'))
    notes.push(
      'Hashing inputs are written just before they are measured and fit in RAM, so every tool reads them from the page cache; `b3sum` without `--num-threads` uses every CPU.',
    )
  if (process.env.NODE_EXTRA_CA_CERTS) notes.push(nodeStartNote(o.smoke ? 3 : 11))
  const runs: Run[] = []
  const results: Results = {
    meta: {
      date: new Date().toISOString(),
      host: hostname(),
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown CPU',
      memGB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      loadavg: load,
      tools: Object.fromEntries(
        [...tools].map(([k, v]) => [k, { path: v.path, version: v.version, skipped: v.skipped }]),
      ),
      options: o,
      notes,
      elapsedS: 0,
    },
    workloads: [],
    runs,
    profiles: [],
  }
  const resultsJson = join(o.outDir, 'results.json')
  const save = () => {
    results.meta.elapsedS = (Date.now() - t0) / 1000
    results.workloads = o.workloads.filter((w) =>
      w === 'memory' ? runs.some((r) => r.maxRssKB !== undefined) : runs.some((r) => r.workload === w),
    )
    mkdirSync(o.outDir, { recursive: true })
    writeFileSync(resultsJson, `${JSON.stringify(results, null, 1)}\n`)
    const { md } = renderResults(results)
    mkdirSync(dirname(o.resultsMd), { recursive: true })
    writeFileSync(o.resultsMd, md)
  }
  const record = (r: Run) => runs.push(r)

  rmSync(o.workDir, { recursive: true, force: true })
  mkdirSync(o.workDir, { recursive: true })
  log(`work dir ${o.workDir}; results → ${resultsJson}, ${o.resultsMd}`)
  try {
    // ---- DAG workloads (no-op, full, incremental; memory comes from their runs) ----
    const dirs = new Map<number, string>()
    const fullSet = new Set(has('full') ? o.fullSizes : [])
    const otherSet = new Set(has('noop') || has('incremental') || has('memory') ? o.sizes : [])
    for (const n of [...new Set([...fullSet, ...otherSet])].sort((a, b) => a - b)) {
      const exact = runDag(n, {
        workDir: o.workDir,
        jobs: o.jobs,
        reps: o.reps,
        fullReps: o.fullReps,
        warmup: o.warmup,
        make: path('make'),
        snakemake: o.peers.includes('snakemake') ? path('snakemake') : undefined,
        snakemakeFullMax: o.snakemakeFullMax,
        full: fullSet.has(n),
        noop: otherSet.has(n) && (has('noop') || has('memory')),
        incremental: otherSet.has(n) && has('incremental'),
        log,
        record,
      })
      dirs.set(exact, join(o.workDir, `dag-${exact}`))
      save()
    }

    // ---- hashing ----
    if (has('hashing')) {
      runHashing({
        workDir: o.workDir,
        reps: o.reps,
        warmup: o.warmup,
        fileMB: o.hashFileMB,
        dirFiles: o.hashDirFiles,
        dirFileMB: o.hashDirFileMB,
        sha256sum: path('sha256sum'),
        b3sum: path('b3sum'),
        xxhsum: path('xxhsum'),
        log,
        record,
      })
      rmSync(join(o.workDir, 'hashing'), { recursive: true, force: true })
      save()
    }

    // ---- profiles of coin where it is slowest ----
    if (o.profile && dirs.size) {
      const profDir = join(o.outDir, 'profiles')
      rmSync(profDir, { recursive: true, force: true })
      const sized = [...dirs.keys()].sort((a, b) => a - b)
      const biggest = sized[sized.length - 1]!
      const fullSized = sized.filter((n) => runs.some((r) => r.workload === 'full' && r.size === n))
      const plan: { label: string; dir: string; clean: boolean }[] = [
        {
          label: `no-op, ${biggest} targets (shell rules)`,
          dir: join(dirs.get(biggest)!, 'coin-shell'),
          clean: false,
        },
      ]
      if (fullSized.length) {
        const big = fullSized[fullSized.length - 1]!
        const small = fullSized[0]!
        plan.push({
          label: `full build, ${big} targets, in-process rules, -j ${o.jobs}`,
          dir: join(dirs.get(big)!, 'coin-inproc'),
          clean: true,
        })
        plan.push({
          label: `full build, ${small} targets, shell rules, -j ${o.jobs}`,
          dir: join(dirs.get(small)!, 'coin-shell'),
          clean: true,
        })
      }
      for (const p of plan) {
        if (p.clean) rmSync(join(p.dir, 'cache'), { recursive: true, force: true })
        log(`profiling coin: ${p.label}…`)
        try {
          const r = profileCoin(p.dir, { jobs: o.jobs, profDir })
          const s = summarizeProfile(
            r.file,
            `${p.label}: wall ${r.wallMs.toFixed(0)} ms, engine ${r.engineMs ?? '?'} ms`,
            repoRoot,
          )
          results.profiles.push(s)
        } catch (err) {
          notes.push(`profile "${p.label}" failed: ${(err as Error).message.split('\n')[0]}`)
        }
      }
      save()
    }
  } finally {
    save()
    cleanupProc()
    if (!o.keep) rmSync(o.workDir, { recursive: true, force: true })
  }
  log(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s → ${o.resultsMd}`)
  return results
}

/**
 * This machine sets NODE_EXTRA_CA_CERTS, which every tool here runs without (see lib/proc.ts): how
 * long `node -e 0` takes with and without it, alternating.
 */
function nodeStartNote(reps: number): string {
  const wall = (env?: Record<string, string | undefined>) =>
    measure(process.execPath, ['-e', '0'], { cwd: tmpdir(), env }).wallMs
  const withIt: number[] = []
  const without: number[] = []
  for (let i = 0; i < reps; i++) {
    withIt.push(wall({ NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS }))
    without.push(wall())
  }
  const med = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!.toFixed(0)
  return `This machine sets NODE_EXTRA_CA_CERTS (to ${process.env.NODE_EXTRA_CA_CERTS}), whose certificates Node reads and parses at every start: \`node -e 0\` takes ${med(withIt)} ms with it and ${med(without)} ms without (medians of ${reps}, alternating). coin makes no TLS connection and a user's machine rarely sets it, so every tool runs without it.`
}
