/**
 * The Slurm executor against a real single-node Slurm (sbatch, squeue, scancel; no mocks): rules
 * on the node and per-target executors, a second build that submits nothing, failures reported
 * with their log tail and retried per policy, Ctrl-C cancelling every job, and a killed coin whose restart
 * adopts its jobs instead of submitting them again.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { BuildEvent } from '../../src/events.ts'
import { parseEvents, TempProject } from '../helpers/project.ts'
import { active, build, jobsOf, slurmAvailable, until } from './cluster.ts'
import { SLURM_COINFILE } from './fixture.ts'

// A time limit, so jobs of a test that dies are ended by Slurm (other runs share the node).
const SLURM = ['--executor', 'slurm', '--slurm-poll', '250', '--slurm-time', '5']
type TargetEvent = Extract<BuildEvent, { event: 'target' }>

const project = () => new TempProject({ 'Coinfile.ts': SLURM_COINFILE, 'a.txt': 'hello slurm\n' })
const targetOf = (events: BuildEvent[], id: string) =>
  events.find((e): e is TargetEvent => e.event === 'target' && e.id === id)!
const logsOf = (events: BuildEvent[]) => events.flatMap((e) => (e.event === 'log' ? [e.line] : [])).join('\n')
const filesUnder = (dir: string): string[] =>
  existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String) : []

/** Nothing half-written: no record for the key, no staging directory, no job files left. */
function assertNothingLeft(p: TempProject, key: string | undefined) {
  if (key)
    assert.not.ok(existsSync(p.path(`cache/actions/${key.slice(0, 2)}/${key}.json`)), 'a record was written')
  assert.equal(filesUnder(p.path('cache/staging')), [])
  assert.equal(
    filesUnder(p.path('cache/jobs')).filter((f) => f !== 'batches'),
    [],
  )
}

/** Spawns `coin build --json ...`; `cleanup` kills it and cancels its cache's jobs (for failed tests). */
function spawnBuild(p: TempProject, ...args: string[]) {
  const child = p.spawn('build', '--json', ...args)
  spawned.push({ child, p })
  return child
}
const spawned: { child: ReturnType<TempProject['spawn']>; p: TempProject }[] = []
test.after.each(() => {
  for (const { child, p } of spawned.splice(0)) {
    if (child.exitCode === null) child.kill('SIGKILL')
    const left = active(jobsOf(p.path('cache'))).map(([id]) => id)
    if (left.length) execFileSync('scancel', left)
  }
})

async function finished(
  child: ReturnType<TempProject['spawn']>,
): Promise<{ code: number; events: BuildEvent[]; stderr: string }> {
  let out = ''
  let err = ''
  child.stdout.on('data', (c) => {
    out += c
  })
  child.stderr.on('data', (c) => {
    err += c
  })
  const code = await new Promise<number>((r) => child.on('close', (c) => r(c ?? -1)))
  return { code, events: parseEvents(out), stderr: err }
}

if (slurmAvailable()) {
  test('a TypeScript rule and shell rules on Slurm, one target kept local; a second build submits nothing', () => {
    // (Bytes against the local executor: forgetting.test.ts, on the default Coinfile.)
    const remote = project()
    const b = build(remote, 'data/count', 'where/slurm', 'where/local', ...SLURM)
    assert.is(b.code, 0, b.stderr)
    assert.equal(b.outcomes, {
      'data/upper': 'ran',
      'data/count': 'ran',
      'where/slurm': 'ran',
      'where/local': 'ran',
    })
    const file = (id: string, f: string) =>
      readFileSync(join(remote.coin('path', id).stdout.trim(), f), 'utf8')
    assert.is(file('data/count', 'upper.txt'), 'HELLO SLURM\nHELLO SLURM\n')
    assert.is(file('data/count', 'count.txt').trim(), '24')
    // The TypeScript rule's log line came back from the worker.
    assert.match(remote.coin('log', 'data/upper').stdout, 'upper-casing 12 chars')
    assert.match(file('where/slurm', 'job.txt').trim(), /^job:\d+$/)
    assert.is(file('where/local', 'job.txt').trim(), 'job:')
    const jobs = jobsOf(remote.path('cache')).size
    assert.is(jobs, 3)
    const again = build(remote, 'data/count', 'where/slurm', 'where/local', ...SLURM)
    assert.is(again.code, 0, again.stderr)
    assert.ok(Object.values(again.outcomes).every((o) => o === 'fresh'))
    assert.not.ok(again.events.some((e) => e.event === 'start'))
    assert.is(jobsOf(remote.path('cache')).size, jobs)
    assertNothingLeft(remote, undefined)
    remote.remove()
  })

  test('a non-zero exit: reported with its log tail, retried per policy, nothing half-written', async () => {
    const p = project()
    // Side by side (different keys): a failing command retried once, and a rule's UserError.
    const [r, u] = await Promise.all([
      finished(spawnBuild(p, 'bad/exit', ...SLURM, '--slurm-retries', '1')),
      finished(spawnBuild(p, 'bad/user', ...SLURM, '--slurm-retries', '1')),
    ])
    assert.is(r.code, 1)
    const t = targetOf(r.events, 'bad/exit')
    assert.is(t.outcome, 'failed')
    assert.match(t.error ?? '', 'command exited with code 3: oops: the data is bad')
    assert.match(t.error ?? '', /Slurm job \d+_0 failed/)
    assert.ok(
      t.logTail?.some((l) => l.includes('oops: the data is bad')),
      JSON.stringify(t.logTail),
    )
    assert.is(p.read('fail.attempts'), 'attempt\nattempt\n')
    assert.match(logsOf(r.events), 'resubmitting (retry policy)')
    assertNothingLeft(p, t.key)
    // A rule's UserError comes back from the worker with its diagnostic, exits 2, is not retried.
    assert.is(u.code, 2, u.stderr)
    assert.match(u.stderr, 'data/train.json: record 3 has no answer')
    assert.match(u.stderr, 'key: records[3].answer')
    assert.not.match(logsOf(u.events), 'resubmitting')
    p.remove()
  })

  test('scancel mid-run: reported with the log tail; with a retry the resubmitted job finishes', async () => {
    // (Without a retry the target fails, with nothing half-written: the fault suite's Slurm family.)
    const p = project()
    const cancelRunning = async () => {
      await until('a running job', () => active(jobsOf(p.path('cache'))).some(([, s]) => s === 'RUNNING'))
      await until('the rule to start', () => existsSync(p.path('started.1')))
      const [id] = active(jobsOf(p.path('cache')))[0]!
      execFileSync('scancel', [id])
    }
    const child = spawnBuild(p, 'sleep/1', ...SLURM, '--slurm-retries', '1')
    await cancelRunning()
    // Released only once the resubmitted job runs, so the cancelled one cannot finish first.
    await until('the resubmitted job', () => p.read('started.1') === 'x\nx\n')
    writeFileSync(p.path('release'), '')
    const r = await finished(child)
    assert.is(r.code, 0)
    assert.is(targetOf(r.events, 'sleep/1').outcome, 'ran')
    const logs = logsOf(r.events)
    assert.match(logs, /Slurm job \d+_0 was cancelled outside coin/)
    assert.match(logs, 'resubmitting (retry policy)')
    // The cancelled job's log tail, with the rule's own line.
    assert.match(logs, '  | sleepy 1 started')
    assertNothingLeft(p, undefined)
    p.remove()
  })

  test('SIGINT cancels every submitted job (squeue is empty) and records nothing', async () => {
    const p = project()
    const child = spawnBuild(p, 'sleep/**', ...SLURM)
    await until('three submitted jobs', () => jobsOf(p.path('cache')).size === 3)
    await until('a running rule', () => existsSync(p.path('started.1')) || existsSync(p.path('started.2')))
    child.kill('SIGINT')
    const r = await finished(child)
    assert.is(r.code, 130)
    assert.equal(active(jobsOf(p.path('cache'))), [])
    assert.is(r.events.filter((e) => e.event === 'target' && e.outcome === 'ran').length, 0)
    assertNothingLeft(p, undefined)
    assert.not.ok(
      existsSync(p.path('cache/actions')) &&
        filesUnder(p.path('cache/actions')).some((f) => f.endsWith('.json')),
    )
    p.remove()
  })

  test('kill -9 of the submitting coin: the restarted coin adopts its jobs and submits nothing twice', async () => {
    const p = project()
    const child = spawnBuild(p, 'sleep/1', 'sleep/2', ...SLURM)
    await until(
      'both rules to start',
      () => existsSync(p.path('started.1')) && existsSync(p.path('started.2')),
    )
    child.kill('SIGKILL')
    await new Promise((r) => child.on('close', r))
    const submitted = [...jobsOf(p.path('cache')).keys()].sort()
    assert.is(submitted.length, 2)
    const restarted = spawnBuild(p, 'sleep/1', 'sleep/2', ...SLURM)
    let out = ''
    restarted.stdout.on('data', (c) => {
      out += c
    })
    await until('both jobs adopted', () => (out.match(/adopted Slurm job/g) ?? []).length === 2)
    assert.equal(
      active(jobsOf(p.path('cache')))
        .map(([id]) => id)
        .sort(),
      submitted,
    )
    writeFileSync(p.path('release'), '')
    const code = await new Promise<number>((r) => restarted.on('close', (c) => r(c ?? -1)))
    const events = parseEvents(out)
    assert.is(code, 0, out)
    assert.is(targetOf(events, 'sleep/1').outcome, 'ran')
    assert.is(targetOf(events, 'sleep/2').outcome, 'ran')
    assert.equal([...jobsOf(p.path('cache')).keys()].sort(), submitted)
    assert.is(p.read('started.1'), 'x\n')
    assert.is(readFileSync(join(p.coin('path', 'sleep/2').stdout.trim(), 'slept.txt'), 'utf8'), '2')
    assertNothingLeft(p, undefined)
    p.remove()
  })
}

test.run()
