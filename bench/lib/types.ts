/** The raw record of a benchmark run (bench/out/results.json) and the options that produced it. */

export type Workload = 'noop' | 'full' | 'hashing' | 'incremental' | 'memory'

export const WORKLOADS: readonly Workload[] = ['noop', 'full', 'hashing', 'incremental', 'memory']

/** One measured execution of one tool. */
export interface Run {
  workload: Workload
  /** DAG workloads: the number of targets. Hashing: the input's bytes. */
  size: number
  /** Sub-case: hashing `file-cold`, `dir-warm`, ...; empty for the DAG workloads. */
  case: string
  tool: string
  /** 0-based repetition; -1 for warm-up runs (kept, but not summarised). */
  rep: number
  wallMs: number
  userMs?: number
  sysMs?: number
  maxRssKB?: number
  code: number
  /** coin: the `done` event's counts (fresh/ran/...) and the engine's own duration. */
  counts?: Record<string, number>
  engineMs?: number
  /** Incremental: targets rerun, the expected count, and whether exactly the affected set reran. */
  rerun?: number
  expected?: number
  exact?: boolean
  /** /proc/<pid>/io of the coin process (hashing). */
  io?: Record<string, number>
  /** Bytes the run hashed (hashing). */
  bytes?: number
  /** Set when the run failed or gave a wrong answer; such runs are not summarised. */
  error?: string
}

export interface BenchOptions {
  smoke: boolean
  /** Targets per DAG for the no-op, incremental and memory workloads. */
  sizes: number[]
  /** Targets per DAG for the full build from scratch. */
  fullSizes: number[]
  reps: number
  fullReps: number
  warmup: number
  jobs: number
  /** Hashing inputs: one file of `hashFileMB`, and a directory of `hashDirFiles` × `hashDirFileMB`. */
  hashFileMB: number
  hashDirFiles: number
  hashDirFileMB: number
  /** Which workloads to run. */
  workloads: Workload[]
  /** Peers to compare against (make, snakemake); missing ones are skipped. */
  peers: string[]
  /** Install missing peers with apt-get when possible. */
  install: boolean
  /** Write a CPU profile of coin's slowest cases and summarise it. */
  profile: boolean
  /** Where RESULTS.md and results.json go. */
  outDir: string
  resultsMd: string
  /** Scratch space for generated projects (removed at the end unless `keep`). */
  workDir: string
  keep: boolean
  /** Snakemake full builds at sizes above this are skipped (minutes each). */
  snakemakeFullMax: number
}

export interface ProfileSummary {
  label: string
  file: string
  totalMs: number
  /** Self time by function, descending. */
  top: { fn: string; where: string; selfMs: number; pct: number }[]
  /** Self time by area (coin src/…, tsx/esbuild, node internals, GC, …). */
  byArea: { area: string; selfMs: number; pct: number }[]
  /** Inclusive time of selected coin functions (phases). */
  phases: { fn: string; where: string; totalMs: number }[]
}

export interface Results {
  meta: {
    date: string
    host: string
    cpus: number
    cpuModel: string
    memGB: number
    node: string
    loadavg: number[]
    tools: Record<string, { path?: string; version?: string; skipped?: string }>
    options: BenchOptions
    notes: string[]
    elapsedS: number
  }
  workloads: Workload[]
  runs: Run[]
  profiles: ProfileSummary[]
}
