/**
 * The Slurm executor on a real Slurm (`.ci/slurm-up.sh` starts a single-node one):
 *  1. submissions per second: N actions submitted as job arrays (held, so only submission is
 *     timed), against one `sbatch` per job (what a per-job submitter does), in the same run;
 *  2. status queries per poll: squeue calls / polls while 10 and then N jobs are tracked;
 *  3. ready → running: from submit() to the worker's first event, for real trivial actions, against
 *     a bare `sbatch --wrap` job's submit → start in the same run.
 * Usage: npx tsx bench/slurm.ts [--jobs N] [--latency M]   (writes bench/out/slurm.json)
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import type { Action, ActionResult } from '../src/exec/action.ts'
import type { JobHandle } from '../src/exec/executor.ts'
import { SlurmExecutor } from '../src/exec/slurm/executor.ts'
import { KEY_FORMAT } from '../src/fingerprint/key.ts'

const repo = fileURLToPath(new URL('..', import.meta.url))
const { values } = parseArgs({
  options: { jobs: { type: 'string', default: '200' }, latency: { type: 'string', default: '6' } },
})
const N = Number(values.jobs)
const M = Number(values.latency)

if (spawnSync('bash', [join(repo, '.ci/slurm-up.sh')], { stdio: 'inherit' }).status !== 0) {
  console.error('bench/slurm: no Slurm here (.ci/slurm-up.sh failed)')
  process.exit(1)
}

// A project whose only rule does nothing, so a job's time is coin's and Slurm's own.
const dir = mkdtempSync(join(tmpdir(), 'coin-bench-slurm-'))
mkdirSync(join(dir, 'node_modules'))
symlinkSync(repo, join(dir, 'node_modules', 'coin'))
writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n')
writeFileSync(
  join(dir, 'Coinfile.ts'),
  `import { writeFile } from 'node:fs/promises'
import { defineCoinfile, rule } from 'coin'
const noop = rule<{ i: number }>({ name: 'noop', run: ({ out, params }) => writeFile(out + '/i', String(params.i)) })
export default defineCoinfile({ targets: () => [noop('noop/0', { params: { i: 0 } })] })
`,
)
const cache = join(dir, 'cache')

function executor(extra: string[], pollMs = 250) {
  return new SlurmExecutor({
    cacheRoot: cache,
    root: dir,
    recordPath: (key) => join(cache, 'actions', key.slice(0, 2), `${key}.json`),
    jobFor: () => ({ settings: { extra }, resources: { cpu: 1, gpu: 0, memGB: 0 } }),
    pollMs,
  })
}

let serial = 0
function action(ex: SlurmExecutor, i: number): Action {
  const key = `${Date.now().toString(16)}${(serial++).toString(16).padStart(8, '0')}`.padEnd(32, '0')
  return {
    format: 1,
    id: 'noop/0',
    key,
    keyData: {
      format: KEY_FORMAT,
      rule: { name: 'noop', identity: 'bench' },
      params: { i },
      inputs: {},
      env: {},
    },
    rule: 'noop',
    params: { i },
    inputs: {},
    staging: ex.newStaging(key),
    scratch: join(cache, 'scratch', key),
    root: dir,
    cache,
    grant: { cpu: 1, gpus: [], memGB: 0 },
    env: {},
    executor: 'slurm',
    coinfile: join(dir, 'Coinfile.ts'),
    sets: [],
  }
}

const hooks = { log() {}, progress() {} }
const until = async (ok: () => boolean) => {
  while (!ok()) await new Promise((r) => setTimeout(r, 20))
}
const submitted = (hs: JobHandle[]) => hs.every((h) => (h as unknown as { jobId?: string }).jobId)

// 1 + 2: N held jobs (arrays), polled for a while, then cancelled with one scancel.
const held = executor(['--hold'])
const t0 = performance.now()
const handles = Array.from({ length: N }, (_, i) => held.submit(action(held, i), hooks))
await until(() => submitted(handles))
const arraySeconds = (performance.now() - t0) / 1000
const polls0 = held.polls
const squeue0 = held.commands.calls.squeue
await until(() => held.polls >= polls0 + 5)
const perPollN = (held.commands.calls.squeue - squeue0) / (held.polls - polls0)
const waits = handles.map((h) => held.wait(h))
for (const h of handles) held.cancel(h)
const cancelled = await Promise.all(waits)
const scancels = held.commands.calls.scancel

// A small set tracked, to show the number of queries does not grow with the jobs.
const few = executor(['--hold'])
const fewHandles = Array.from({ length: 10 }, (_, i) => few.submit(action(few, i), hooks))
await until(() => submitted(fewHandles))
await until(() => few.polls >= 5)
const perPoll10 = few.commands.calls.squeue / few.polls
const fewWaits = fewHandles.map((h) => few.wait(h))
for (const h of fewHandles) few.cancel(h)
await Promise.all(fewWaits)

// Baseline: one sbatch per job.
const B = Math.min(N, 40)
const b0 = performance.now()
const bare: string[] = []
for (let i = 0; i < B; i++)
  bare.push(
    execFileSync('sbatch', ['--parsable', '--hold', '--job-name=coin-bench-bare', '--wrap', 'true'], {
      encoding: 'utf8',
    }).trim(),
  )
const bareSeconds = (performance.now() - b0) / 1000
execFileSync('scancel', bare)

// 3: ready → running, real trivial actions one after another (an idle node each time).
const runner = executor([], 100)
const latencies: number[] = []
let ok = 0
for (let i = 0; i < M; i++) {
  const h = runner.submit(action(runner, 1000 + i), hooks)
  const r: ActionResult = await runner.wait(h)
  if (r.status === 'ok') ok++
}
latencies.push(...runner.startLatencies)
const bareLatency: number[] = []
for (let i = 0; i < M; i++) {
  const stamp = join(dir, `bare-${i}`)
  const s = Date.now()
  execFileSync('sbatch', [
    '--parsable',
    '--job-name=coin-bench-bare',
    `--output=/dev/null`,
    '--wrap',
    `date +%s%3N > ${stamp}`,
  ])
  await until(() => {
    try {
      return readFileSync(stamp, 'utf8').trim().length > 0
    } catch {
      return false
    }
  })
  bareLatency.push(Number(readFileSync(stamp, 'utf8')) - s)
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN
const result = {
  jobs: N,
  arraySubmissionsPerSecond: N / arraySeconds,
  sbatchCallsForArrays: held.commands.calls.sbatch,
  perJobSubmissionsPerSecond: B / bareSeconds,
  squeuePerPoll: { [N]: perPollN, 10: perPoll10 },
  scancelCallsForAll: scancels,
  cancelledAll: cancelled.every((r) => r.status === 'cancelled'),
  readyToRunningMs: { median: median(latencies), all: latencies, okRuns: ok },
  bareSbatchSubmitToStartMs: { median: median(bareLatency), all: bareLatency },
}
mkdirSync(join(repo, 'bench/out'), { recursive: true })
writeFileSync(join(repo, 'bench/out/slurm.json'), `${JSON.stringify(result, null, 2)}\n`)
const f = (x: number) => x.toFixed(1)
console.log(`| measure | coin (slurm executor) | baseline (same run) |
|---|---|---|
| submissions/s | ${f(result.arraySubmissionsPerSecond)} (${N} jobs, ${result.sbatchCallsForArrays} sbatch calls) | ${f(result.perJobSubmissionsPerSecond)} (one sbatch per job, ${B} jobs) |
| squeue calls per poll | ${f(perPoll10)} with 10 jobs, ${f(perPollN)} with ${N} | one per job per poll: 10 / ${N} |
| scancel calls to cancel ${N} jobs | ${scancels} | ${N} |
| ready → running, median ms | ${median(latencies)} (submit → worker's first event, ${ok}/${M} ok) | ${median(bareLatency)} (bare sbatch --wrap: submit → start) |`)
rmSync(dir, { recursive: true, force: true })
