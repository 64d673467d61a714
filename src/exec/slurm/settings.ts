/**
 * What a Slurm job asks for, and how those settings combine: the Coinfile's `slurm: {...}`, then
 * the `--slurm-*` options of one build, then a target's own `slurm: {...}` (a training target's
 * GPU partition stays its own). The target's `resources` give cpus, memory and GPUs.
 */
export interface SlurmSettings {
  partition?: string
  account?: string
  qos?: string
  /** Time limit in any form sbatch takes (`30`, `2:00:00`, `1-0`). */
  time?: string
  /** How a GPU count is asked for: `--gres=gpu[:type]:N` (default) or `--gpus=N`. */
  gpuFlag?: 'gres' | 'gpus'
  /** A GPU type for `--gres=gpu:<type>:N` (e.g. `a100`). */
  gpuType?: string
  /** Further sbatch flags, as separate words (`['--constraint=ib', '--exclusive']`). */
  extra?: string[]
  /**
   * Resubmissions after a failure the job could cause itself (non-zero exit, cancelled outside
   * coin, time limit). Default 0. A rule's UserError is never retried: it would fail the same way.
   */
  retries?: number
  /** Resubmissions after the cluster's own failures (node failure, preemption, a lost job). Default 2. */
  requeue?: number
}

export const SLURM_SETTING_KEYS = [
  'partition',
  'account',
  'qos',
  'time',
  'gpuFlag',
  'gpuType',
  'extra',
  'retries',
  'requeue',
] as const satisfies readonly (keyof SlurmSettings)[]

export function mergeSettings(...layers: (SlurmSettings | undefined)[]): SlurmSettings {
  const out: SlurmSettings = {}
  for (const layer of layers)
    for (const [k, v] of Object.entries(layer ?? {})) if (v !== undefined) Object.assign(out, { [k]: v })
  return out
}

/** The sbatch flags of one job (resources included); jobs with equal flags can share an array. */
export function sbatchFlags(s: SlurmSettings, r: { cpu: number; gpu: number; memGB: number }): string[] {
  const flags: string[] = []
  if (s.partition) flags.push(`--partition=${s.partition}`)
  if (s.account) flags.push(`--account=${s.account}`)
  if (s.qos) flags.push(`--qos=${s.qos}`)
  if (s.time) flags.push(`--time=${s.time}`)
  flags.push(`--cpus-per-task=${Math.max(1, r.cpu)}`)
  if (r.memGB > 0) flags.push(`--mem=${Math.ceil(r.memGB * 1024)}M`)
  if (r.gpu > 0)
    flags.push(
      s.gpuFlag === 'gpus' ? `--gpus=${r.gpu}` : `--gres=gpu:${s.gpuType ? `${s.gpuType}:` : ''}${r.gpu}`,
    )
  flags.push(...(s.extra ?? []))
  return flags
}
