/**
 * Which executor runs each target: the target's `executor:`, else `--executor`, else the
 * Coinfile's `executor:`, else local; `--local <glob>` keeps matching targets local regardless. The Slurm executor is created (and its module loaded) only
 * when some target of the selection uses it.
 */
import { spawnSync } from 'node:child_process'
import { UserError } from '../errors.ts'
import type { Executor } from '../exec/executor.ts'
import { LocalExecutor } from '../exec/local.ts'
import { ruleRegistry } from '../exec/rules.ts'
import type { SlurmExecutor } from '../exec/slurm/executor.ts'
import { mergeSettings, type SlurmSettings } from '../exec/slurm/settings.ts'
import { idPattern } from '../graph/graph.ts'
import type { Project } from '../project.ts'

const NAMES = ['local', 'slurm'] as const

export interface SlurmCliOptions {
  executor?: string
  /** Id globs that run locally whatever their executor (cheap targets of a Slurm build). */
  local?: string[]
  slurmPartition?: string
  slurmAccount?: string
  slurmQos?: string
  slurmTime?: string
  slurmGpuFlag?: string
  slurmGpuType?: string
  slurmExtra?: string[]
  slurmRetries?: string
  slurmPoll?: string
}

export async function chooseExecutors(
  project: Project,
  closure: readonly string[],
  o: SlurmCliOptions,
): Promise<{ local: LocalExecutor; executorFor(id: string): Executor; slurm?: SlurmExecutor }> {
  const local = new LocalExecutor(ruleRegistry(project.graph), project.store)
  const coinfile = project.settings
  const check = (name: string | undefined, where: { file?: string; line?: number; key: string }) => {
    if (name !== undefined && !(NAMES as readonly string[]).includes(name))
      throw new UserError({
        message: `unknown executor "${name}"`,
        ...where,
        fix: `use one of: ${NAMES.join(', ')}`,
      })
    return name as (typeof NAMES)[number] | undefined
  }
  const fallback =
    check(o.executor, { key: '--executor' }) ??
    check(coinfile.executor, { file: project.file, line: coinfile.line, key: 'executor' }) ??
    'local'
  const keepLocal = (o.local ?? []).map((g) => idPattern(g))
  const choice = new Map<string, (typeof NAMES)[number]>()
  for (const id of closure) {
    const { decl } = project.graph.get(id)
    const own = check(decl.executor, { file: decl.site?.file, line: decl.site?.line, key: `${id}.executor` })
    choice.set(id, keepLocal.some((re) => re.test(id)) ? 'local' : (own ?? fallback))
  }
  if (![...choice.values()].includes('slurm')) return { local, executorFor: () => local }
  if (spawnSync('sbatch', ['--version'], { stdio: 'ignore' }).status !== 0)
    throw new UserError({
      message: 'targets are to run on Slurm, but `sbatch` is not available here',
      key: '--executor',
      fix: 'run coin on a Slurm login node (sbatch on PATH), or choose --executor local',
    })
  const cli: SlurmSettings = {
    partition: o.slurmPartition,
    account: o.slurmAccount,
    qos: o.slurmQos,
    time: o.slurmTime,
    gpuFlag: o.slurmGpuFlag as SlurmSettings['gpuFlag'],
    gpuType: o.slurmGpuType,
    extra: o.slurmExtra?.length ? o.slurmExtra : undefined,
    retries: o.slurmRetries === undefined ? undefined : Number(o.slurmRetries),
  }
  if (cli.gpuFlag !== undefined && cli.gpuFlag !== 'gres' && cli.gpuFlag !== 'gpus')
    throw new UserError({
      message: `--slurm-gpu-flag must be gres or gpus, got ${cli.gpuFlag}`,
      key: '--slurm-gpu-flag',
    })
  if (cli.retries !== undefined && !(Number.isInteger(cli.retries) && cli.retries >= 0))
    throw new UserError({ message: `--slurm-retries must be a whole number ≥ 0`, key: '--slurm-retries' })
  const { SlurmExecutor } = await import('../exec/slurm/executor.ts')
  const slurm = new SlurmExecutor({
    cacheRoot: project.layout.root,
    root: project.root,
    recordPath: (key) => project.layout.action(key),
    pollMs: o.slurmPoll ? Number(o.slurmPoll) : undefined,
    jobFor: (action) => {
      const { decl } = project.graph.get(action.id)
      return {
        settings: mergeSettings(coinfile.slurm, cli, decl.slurm),
        resources: decl.resources,
      }
    },
  })
  return { local, slurm, executorFor: (id) => (choice.get(id) === 'slurm' ? slurm : local) }
}
