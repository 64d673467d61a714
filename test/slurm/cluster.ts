/**
 * The real single-node Slurm the Slurm tests run against. `.ci/slurm-up.sh` starts it when it is
 * not running (CI installs slurm-wlm and munge first). Where Slurm cannot start, the tests are
 * skipped with a message, except under CI (`CI` set), where that is a failure.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { jobNameFor } from '../../src/exec/slurm/executor.ts'
import { coinBin, parseEvents, repoRoot, type TempProject } from '../helpers/project.ts'

let ready: boolean | undefined

export function slurmAvailable(): boolean {
  if (ready !== undefined) return ready
  const up = spawnSync('bash', [join(repoRoot, '.ci/slurm-up.sh')], { encoding: 'utf8', timeout: 120_000 })
  ready = up.status === 0
  if (!ready) {
    const why = `Slurm could not be started (.ci/slurm-up.sh): ${(up.stderr || up.error?.message || '').trim()}`
    if (process.env.CI) throw new Error(`${why}; CI must run the Slurm tests`)
    console.log(`SKIPPED: Slurm tests (${why})`)
  }
  return ready
}

/** The jobs of one project's cache that the controller still knows: job id → Slurm state. */
export function jobsOf(cacheRoot: string): Map<string, string> {
  const out = execFileSync(
    'squeue',
    ['-h', '-r', '--states=all', `--name=${jobNameFor(cacheRoot)}`, '-o', '%i|%T'],
    { encoding: 'utf8' },
  )
  const jobs = new Map<string, string>()
  for (const line of out.split('\n')) {
    const [id, state] = line.trim().split('|')
    if (id && state) jobs.set(id, state)
  }
  return jobs
}

export const active = (jobs: Map<string, string>) =>
  [...jobs].filter(([, s]) => ['PENDING', 'RUNNING', 'CONFIGURING', 'COMPLETING'].includes(s))

export async function until(what: string, ok: () => boolean, ms = 300_000): Promise<void> {
  const t0 = Date.now()
  while (!ok()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/**
 * `coin build --json` with a longer time limit than the rig's: Slurm jobs wait for the node's two
 * CPUs, which other test runs on the same machine may hold.
 */
export function build(p: TempProject, ...args: string[]) {
  const r = spawnSync(process.execPath, [coinBin, 'build', '--json', ...args], {
    cwd: p.dir,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
    timeout: 900_000,
  })
  const events = parseEvents(r.stdout)
  const outcomes: Record<string, string> = {}
  for (const e of events) if (e.event === 'target') outcomes[e.id] = e.outcome
  return { code: r.status ?? -1, stderr: `${r.stderr}${r.error?.message ?? ''}`, events, outcomes }
}
