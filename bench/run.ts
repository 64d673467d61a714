/**
 * `npm run bench [-- flags]`: coin against GNU Make and Snakemake on the same generated workloads.
 *
 *   npm run bench                         # full run: 1k and 10k targets, 1 GiB + 4 × 512 MiB hashing
 *   npm run bench -- --smoke              # seconds: ~100 targets, 16 MiB, 1 repetition
 *   npm run bench -- --sizes 1000 --reps 3 --only noop,incremental
 *
 * Flags (defaults for the full run; --smoke changes them, explicit flags still win):
 *   --sizes N,N            targets for no-op / incremental / memory       (1000,10000)
 *   --full-sizes N,N       targets for the full build from scratch         (1000,10000)
 *   --reps N               measured repetitions                            (5)
 *   --full-reps N          measured repetitions of full builds             (3)
 *   --warmup N             unmeasured warm-up repetitions                  (1)
 *   -j, --jobs N           parallel jobs for every tool                    (2)
 *   --hash-file-mb N       size of the large file                          (1024)
 *   --hash-dir FxM         checkpoint dir: F files of M MiB                (4x512)
 *   --only a,b             workloads: noop,full,hashing,incremental,memory (all)
 *   --peers a,b            make,snakemake (both; missing ones are skipped)
 *   --no-install           never apt-get install a missing peer
 *   --no-profile           skip the CPU profiles of coin
 *   --snakemake-full-max N above N targets, Snakemake's full build runs once (2000)
 *   --out DIR              write results.json and RESULTS.md into DIR
 *                          (default: bench/out/results.json + bench/RESULTS.md; smoke: bench/out/smoke/)
 *   --work DIR             scratch directory for generated projects        ($TMPDIR/coin-bench-<pid>)
 *   --keep                 keep the scratch directory
 *   --render FILE          only re-render RESULTS.md (next to --out, or bench/) from a results.json
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { runBench } from './harness.ts'
import { repoRoot } from './lib/coin.ts'
import { renderResults } from './lib/report.ts'
import { type BenchOptions, type Results, WORKLOADS, type Workload } from './lib/types.ts'

export function parseArgs(argv: readonly string[]): BenchOptions {
  const flags = new Map<string, string>()
  const bools = new Set<string>()
  const BOOL = new Set(['--smoke', '--no-install', '--no-profile', '--keep', '--install', '--profile'])
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i]!
    if (a === '-j') a = '--jobs'
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a} (flags: see bench/run.ts)`)
    const eq = a.indexOf('=')
    if (eq > 0) flags.set(a.slice(0, eq), a.slice(eq + 1))
    else if (BOOL.has(a)) bools.add(a)
    else {
      const v = argv[++i]
      if (v === undefined) throw new Error(`${a} needs a value`)
      flags.set(a, v)
    }
  }
  const known = new Set([
    '--sizes',
    '--full-sizes',
    '--reps',
    '--full-reps',
    '--warmup',
    '--jobs',
    '--hash-file-mb',
    '--hash-dir',
    '--only',
    '--peers',
    '--snakemake-full-max',
    '--out',
    '--work',
    '--render',
  ])
  for (const k of flags.keys()) if (!known.has(k)) throw new Error(`unknown flag ${k}`)
  const smoke = bools.has('--smoke')
  const int = (k: string, d: number) => {
    const v = flags.get(k)
    if (v === undefined) return d
    const n = Number(v)
    if (!Number.isInteger(n) || n < 0) throw new Error(`${k} must be a non-negative integer, got ${v}`)
    return n
  }
  const list = (k: string, d: number[]) =>
    flags.has(k)
      ? flags
          .get(k)!
          .split(',')
          .filter(Boolean)
          .map((x) => {
            const n = Number(x.replace(/k$/i, '000'))
            if (!Number.isInteger(n) || n < 1) throw new Error(`${k}: bad size ${x}`)
            return n
          })
      : d
  const [dirFiles, dirFileMB] = (flags.get('--hash-dir') ?? (smoke ? '2x8' : '4x512')).split('x').map(Number)
  if (!Number.isInteger(dirFiles) || !Number.isInteger(dirFileMB))
    throw new Error('--hash-dir must look like 4x512')
  const only = (flags.get('--only')?.split(',').filter(Boolean) ?? [...WORKLOADS]) as Workload[]
  for (const w of only)
    if (!WORKLOADS.includes(w)) throw new Error(`unknown workload ${w} (${WORKLOADS.join(', ')})`)
  const outFlag = flags.get('--out')
  const outDir = outFlag ? resolve(outFlag) : join(repoRoot, 'bench', 'out', smoke ? 'smoke' : '')
  return {
    smoke,
    sizes: list('--sizes', smoke ? [100] : [1000, 10000]),
    fullSizes: list('--full-sizes', smoke ? [100] : [1000, 10000]),
    reps: Math.max(1, int('--reps', smoke ? 1 : 5)),
    fullReps: Math.max(1, int('--full-reps', smoke ? 1 : 3)),
    warmup: int('--warmup', smoke ? 0 : 1),
    jobs: Math.max(1, int('--jobs', 2)),
    hashFileMB: Math.max(1, int('--hash-file-mb', smoke ? 16 : 1024)),
    hashDirFiles: dirFiles!,
    hashDirFileMB: dirFileMB!,
    workloads: only,
    peers: flags.get('--peers')?.split(',').filter(Boolean) ?? ['make', 'snakemake'],
    install: bools.has('--install') || (!smoke && !bools.has('--no-install')),
    profile: bools.has('--profile') || (!smoke && !bools.has('--no-profile')),
    outDir,
    resultsMd: outFlag || smoke ? join(outDir, 'RESULTS.md') : join(repoRoot, 'bench', 'RESULTS.md'),
    workDir: resolve(flags.get('--work') ?? join(tmpdir(), `coin-bench-${process.pid}`)),
    keep: bools.has('--keep'),
    snakemakeFullMax: int('--snakemake-full-max', 2000),
  }
}

async function main(): Promise<void> {
  let opts: BenchOptions
  const argv = process.argv.slice(2)
  const render = argv.indexOf('--render')
  try {
    opts = parseArgs(argv)
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n`)
    process.exit(2)
  }
  if (render >= 0) {
    const res = JSON.parse(readFileSync(resolve(argv[render + 1]!), 'utf8')) as Results
    writeFileSync(opts.resultsMd, renderResults(res).md)
    process.stderr.write(`wrote ${opts.resultsMd}\n`)
    return
  }
  const res = await runBench(opts, (line) => process.stderr.write(`${line}\n`))
  const failed = res.runs.filter((r) => r.error)
  if (failed.length) {
    process.stderr.write(`bench: ${failed.length} run(s) failed or gave a wrong answer (see results.json)\n`)
    process.exitCode = 1
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(repoRoot, 'bench', 'run.ts')) await main()
