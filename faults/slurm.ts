/**
 * Slurm faults, on the real single-node Slurm (`.ci/slurm-up.sh`): cold `--executor slurm` builds
 * of the fault project while (1) a job exits non-zero half-way, (2) a running job is `scancel`led,
 * (3) the submitting coin is killed (-9) and started again, (4) the controller (slurmctld) is shut
 * down and started again mid-build. Faulted builds must exit 0, or 1 with a diagnostic (never 70);
 * no job files or staging may be left behind; no key may be submitted twice (a restarted coin
 * adopts its predecessor's jobs); and a clean Slurm build must then give the local reference
 * results byte for byte. sbatch is counted by a wrapper on PATH that logs each array's actions.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { jobNameFor } from '../src/exec/slurm/executor.ts'
import type { Family, Trial } from './family.ts'
import { collect, isExit70, type Run, repoRoot, type Sandbox, settle, sleep, waitFor } from './harness.ts'

type Kind =
  | 'job exits non-zero'
  | 'scancel of a running job'
  | 'kill -9 of coin, restart'
  | 'controller restart'

const KINDS: Kind[] = [
  'job exits non-zero',
  'scancel of a running job',
  'kill -9 of coin, restart',
  'controller restart',
]

/** Slurm answers here (starting it if it can); false means the family is skipped. */
export function slurmUp(): boolean {
  return (
    spawnSync('bash', [join(repoRoot, '.ci/slurm-up.sh')], { stdio: 'ignore', timeout: 120_000 }).status === 0
  )
}

/**
 * An `sbatch` on PATH that runs the real one and logs, per accepted call, the time and each action
 * it submitted (read from the array's list beside the script); refused calls (the controller is
 * down) are counted apart, as coin retries them.
 */
function sbatchWrapper(sb: Sandbox): {
  env: Record<string, string>
  submitted(): { at: number; key: string }[]
  refused(): number
} {
  const real = spawnSync('sh', ['-c', 'command -v sbatch'], { encoding: 'utf8' }).stdout.trim()
  // Inside the project: the sandbox's canary check forbids writes next to it.
  const dir = sb.path('.slurm-faults')
  const log = join(dir, 'sbatch.log')
  const refusedLog = join(dir, 'refused.log')
  mkdirSync(dir, { recursive: true })
  writeFileSync(
    join(dir, 'sbatch'),
    `#!/bin/sh
for a in "$@"; do script="$a"; done
t=$(date +%s%3N)
out=$('${real}' "$@")
rc=$?
case "$script" in
  *.sh) if [ $rc -eq 0 ]; then sed "s|^|$t |" "\${script%.sh}.list" >> '${log}'; else echo "$t" >> '${refusedLog}'; fi ;;
esac
[ -n "$out" ] && printf '%s\n' "$out"
exit $rc
`,
  )
  chmodSync(join(dir, 'sbatch'), 0o755)
  const lines = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean) : [])
  return {
    env: { PATH: `${dir}:${process.env.PATH ?? ''}` },
    submitted: () =>
      lines(log).map((l) => {
        const [at, path] = l.split(' ')
        return { at: Number(at), key: path!.split('/').at(-2)! }
      }),
    refused: () => lines(refusedLog).length,
  }
}

/** The cache's Slurm jobs that are not finished: id → state. */
function activeJobs(sb: Sandbox): Map<string, string> {
  const out = execFileSync(
    'squeue',
    [
      '-h',
      '-r',
      `--name=${jobNameFor(sb.path('cache'))}`,
      '--states=PENDING,RUNNING,CONFIGURING,COMPLETING',
      '-o',
      '%i|%T',
    ],
    { encoding: 'utf8' },
  )
  return new Map(out.split('\n').flatMap((l) => (l.includes('|') ? [l.split('|') as [string, string]] : [])))
}

const controllerUp = () =>
  spawnSync('squeue', ['-h', '-o', '%i'], { stdio: 'ignore', timeout: 10_000 }).status === 0

/** Stops slurmctld (`scontrol shutdown slurmctld`: running jobs go on); '' or what went wrong. */
async function stopController(): Promise<string> {
  execFileSync('scontrol', ['shutdown', 'slurmctld'], { stdio: 'ignore' })
  return (await waitFor(() => !controllerUp(), 30_000)) ? '' : 'slurmctld did not stop'
}

/** Starts slurmctld as .ci/slurm-up.sh does (state recovered from StateSaveLocation, jobs included). */
async function startController(): Promise<string> {
  execFileSync('/usr/sbin/slurmctld', ['-i'], { stdio: 'ignore' })
  return (await waitFor(controllerUp, 60_000)) ? '' : 'slurmctld did not come back'
}

/** What a finished build may not leave: a key's job folder (action, claim, staging) or staging. */
function leftovers(sb: Sandbox): string[] {
  const list = (d: string) => (existsSync(sb.path(d)) ? readdirSync(sb.path(d)) : [])
  return [
    ...list('cache/jobs')
      .filter((k) => k !== 'batches')
      .map((k) => `cache/jobs/${k}`),
    ...list('cache/staging').map((k) => `cache/staging/${k}`),
  ]
}

function reset(sb: Sandbox): void {
  for (const f of [
    'cache',
    'results',
    'runs.log',
    'slow-started',
    'exit-once.0',
    'exit-once.1',
    '.slurm-faults/sbatch.log',
    '.slurm-faults/refused.log',
  ])
    rmSync(sb.path(f), { recursive: true, force: true })
}

export const slurm: Family = {
  name: 'slurm',
  about:
    'cold Slurm builds with a failing job, a scancel, a kill -9 of the submitting coin (then a restart), and a slurmctld restart; compared with the local reference',
  async run(ctx) {
    const trials: Trial[] = []
    if (!slurmUp()) {
      ctx.log('slurm: skipped (.ci/slurm-up.sh could not start Slurm)')
      if (process.env.CI) throw new Error('Slurm could not be started; CI must run the Slurm faults')
      return trials
    }
    const sb = ctx.sandbox
    const wrapper = sbatchWrapper(sb)
    const slurmArgs = ['--executor', 'slurm', '--slurm-poll', '250', '--slurm-time', '5']
    // Quick (CI): one failing job that the retry policy resubmits; the full run, every kind ×
    // FAULT_SLURM_ROUNDS (default 3).
    const rounds = Number(process.env.FAULT_SLURM_ROUNDS ?? 3)
    const plan: [Kind, number][] = ctx.quick
      ? [['job exits non-zero', 1]]
      : KINDS.flatMap((k) => Array.from({ length: rounds }, (_, i): [Kind, number] => [k, i]))
    try {
      for (const [kind, i] of plan) {
        // Whatever happens in a trial, the shared controller is up before the next one.
        if (!controllerUp()) await startController()
        reset(sb)
        const retries = kind === 'job exits non-zero' || kind === 'scancel of a running job' ? i % 2 : 0
        const args = ['build', ...slurmArgs, '--slurm-retries', String(retries)]
        const env = { ...wrapper.env, FAULT_SLOW_MS: kind === 'scancel of a running job' ? '8000' : '1500' }
        if (kind === 'job exits non-zero') sb.write({ [`exit-once.${i % 2}`]: '' })
        // Every third controller restart begins before the build: its first sbatch calls find no
        // controller for longer than sbatch's own retries (~10 s), so coin's wait is what saves them.
        const downFirst = kind === 'controller restart' && i % 3 === 0
        const stopped = downFirst ? await stopController() : ''
        const t0 = Date.now()
        let child = sb.spawn(args, env)
        let done = collect(child, 600_000)
        let note = ''
        const runs: Run[] = []
        const problems: string[] = []
        if (kind === 'scancel of a running job') {
          await waitFor(() => existsSync(sb.path('slow-started')), 300_000)
          await sleep(Math.floor(ctx.random() * 1000))
          const running = [...activeJobs(sb)].filter(([, s]) => s === 'RUNNING').map(([id]) => id)
          const victim = running[Math.floor(ctx.random() * running.length)]
          if (victim) execFileSync('scancel', [victim])
          note = `scancel ${victim ?? '(none running)'}`
          if (!victim) problems.push('no running job to scancel (the fault did not happen)')
        }
        let killedAt = 0
        if (kind === 'kill -9 of coin, restart') {
          await waitFor(() => wrapper.submitted().length > 0, 300_000)
          const delay = Math.floor(ctx.random() * 8000)
          await sleep(delay)
          child.kill('SIGKILL')
          killedAt = Date.now()
          runs.push(await done)
          note = `kill -9 ${delay} ms after the first submission, ${activeJobs(sb).size} jobs active`
          child = sb.spawn(args, env)
          done = collect(child, 600_000)
        }
        if (downFirst) {
          const down = 15_000 + Math.floor(ctx.random() * 5000)
          await sleep(down)
          const trouble = stopped || (await startController())
          note = `slurmctld down from before the build for ${down} ms${trouble ? `: ${trouble}` : ''}`
          if (trouble) problems.push(trouble)
          if (wrapper.refused() === 0)
            problems.push('no sbatch call found the controller down (the fault did not happen)')
        } else if (kind === 'controller restart') {
          await waitFor(() => wrapper.submitted().length > 0, 300_000)
          const delay = Math.floor(ctx.random() * 6000)
          const down = 2000 + Math.floor(ctx.random() * 12_000)
          await sleep(delay)
          let trouble = await stopController()
          if (!trouble) {
            await sleep(down)
            trouble = await startController()
          }
          note = `slurmctld shut down ${delay} ms after the first submission, down ${down} ms${trouble ? `: ${trouble}` : ''}`
          if (trouble) problems.push(trouble)
        }
        const r = await done
        runs.push(r)
        const ms = Date.now() - t0
        const expectOk = retries > 0 || kind === 'kill -9 of coin, restart' || kind === 'controller restart'
        if (expectOk && r.code !== 0) problems.push(`build exit ${r.code}`)
        if (!expectOk && r.code !== 1) problems.push(`build exit ${r.code} (a failed job must give 1)`)
        if (r.code === 1 && !/Slurm job \S+ (failed|was cancelled outside coin)/.test(r.stderr + r.stdout))
          problems.push('the failure does not name its Slurm job')
        if (kind === 'job exits non-zero' && existsSync(sb.path(`exit-once.${i % 2}`)))
          problems.push('no job exited non-zero (the fault did not happen)')
        // A cancelled job may be COMPLETING for a moment after coin has seen it CANCELLED; what is
        // still active 15 s after the build, coin left behind. Then nothing half-written may remain.
        const drained = Date.now() + 15_000
        while (activeJobs(sb).size && Date.now() < drained) await sleep(250)
        if (activeJobs(sb).size)
          problems.push(`${activeJobs(sb).size} jobs still active 15 s after the build`)
        problems.push(...leftovers(sb).map((l) => `left ${l}`))
        // No key submitted twice, except a resubmission per the retry policy, or one whose first
        // sbatch the kill may have cut before coin could write its claim (within 2 s of it).
        const seen = new Map<string, number[]>()
        for (const s of wrapper.submitted()) seen.set(s.key, [...(seen.get(s.key) ?? []), s.at])
        for (const [key, ats] of seen) {
          const allowed =
            1 + retries + (killedAt && ats.some((at) => at <= killedAt && killedAt - at < 2000) ? 1 : 0)
          if (ats.length > allowed) problems.push(`key ${key.slice(0, 8)} submitted ${ats.length}×`)
        }
        const ranTwice = [...sb.runCounts()].filter(([, n]) => n > 1 + retries).map(([k]) => k)
        if (ranTwice.length) problems.push(`ran more than once: ${ranTwice.join(', ')}`)
        const refused = wrapper.refused()
        const v = await settle(sb, ctx.reference, note, { args: slurmArgs, env: wrapper.env })
        const exit70 = v.exit70 || runs.some(isExit70)
        const ok = v.ok && !exit70 && problems.length === 0
        const verdict = {
          ...v,
          ok,
          wrong: v.wrong || problems.length > 0,
          exit70,
          note: `${note}${v.outside ? '; wrote outside the project' : ''}; retries ${retries}; build exit ${runs.map((x) => x.code ?? x.signal).join(' then ')} in ${ms} ms, ${seen.size} keys submitted${refused ? `, ${refused} sbatch calls refused (controller down) and retried` : ''}${problems.length ? `; ${problems.join('; ')}` : ''}${v.wrong ? `; ${v.note}` : ''}`,
        }
        trials.push({ family: `slurm: ${kind}`, name: `${kind} #${i}`, verdict })
        ctx.log(`slurm ${kind} #${i}: ${ok ? 'ok' : 'FAIL'} ${verdict.note}`)
      }
    } finally {
      // Whatever failed, the shared controller is left running.
      if (!controllerUp()) await startController()
    }
    reset(sb)
    return trials
  },
}
