/**
 * Resumable training end to end, with the real CLI and the embedded learner: a `coin build` of a
 * training target is killed (SIGKILL, and Ctrl-C) after a progress event past its first save; the
 * rebuild says "resumed at step N" (N > 0) and its checkpoint, log of steps and training curve are
 * byte-identical to an uninterrupted build's. The scratch directory is gone once it commits.
 */
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { saveEvery } from '../../rules/coin/train-rules.ts'
import type { BuildEvent } from '../../src/events.ts'
import { parseEvents, repoRoot, TempProject } from '../helpers/project.ts'

const STEPS = 2000
const EVERY = saveEvery(STEPS) // 200
const ARGS = [
  '--set',
  'tasks=scienceqa,gqa',
  '--set',
  'data.train=60',
  '--set',
  'data.test=20',
  '--set',
  `base.steps=${STEPS}`,
]
const TARGET = 'train/base'
const OUT = `cache/out/${TARGET}.out`
const FILES = ['weights.bin', 'config.json', 'trainer_state.json']

function project(): TempProject {
  const p = new TempProject({ 'Coinfile.ts': readFileSync(join(repoRoot, 'Coinfile.ts'), 'utf8') })
  cpSync(join(repoRoot, 'datasets/templates'), p.path('datasets/templates'), { recursive: true })
  return p
}

/**
 * Starts `coin build --json`, and sends `signal` once the target reports a step past the first
 * save; resolves with the events it printed and how it ended.
 */
function interrupt(p: TempProject, signal: NodeJS.Signals) {
  const child = p.spawn('build', '--json', TARGET, ...ARGS)
  let stdout = ''
  let stderr = ''
  let sent = false
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk
  })
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk
    if (sent) return
    const past = parseEvents(stdout.slice(0, stdout.lastIndexOf('\n') + 1)).some(
      (e) => e.event === 'progress' && e.id === TARGET && (e.step ?? 0) > EVERY,
    )
    if (past) {
      sent = true
      child.kill(signal)
    }
  })
  return new Promise<{
    events: BuildEvent[]
    signal: NodeJS.Signals | null
    code: number | null
    stderr: string
  }>((resolve) =>
    child.on('close', (code, sig) =>
      resolve({ events: parseEvents(stdout.split('\n').slice(0, -1).join('\n')), signal: sig, code, stderr }),
    ),
  )
}

const keyOf = (events: BuildEvent[]) => {
  const start = events.find((e) => e.event === 'start' && e.id === TARGET)
  assert.ok(start && start.event === 'start', `no start event for ${TARGET}`)
  return start.key
}

/** The rebuild: resumed at step N, and the files it committed. */
function rebuild(p: TempProject, key: string) {
  const r = p.build(TARGET, ...ARGS)
  assert.is(r.code, 0, r.stderr)
  assert.is(r.outcomes[TARGET], 'ran')
  const resumed = r.events.flatMap((e) =>
    e.event === 'progress' && e.id === TARGET && typeof e.resumed === 'number' ? [e.resumed] : [],
  )
  assert.is(resumed.length, 1, 'one "resumed" progress event')
  const line = r.events.find((e) => e.event === 'log' && e.id === TARGET && /^resumed at step/.test(e.line))
  assert.ok(line, 'the log says where it resumed')
  assert.not.ok(existsSync(p.path(`cache/scratch/${key}`)), 'committed: its scratch is dropped')
  assert.equal(readdirSync(p.path('cache/scratch')), [])
  return {
    at: resumed[0]!,
    files: Object.fromEntries(FILES.map((f) => [f, readFileSync(p.path(`${OUT}/${f}`))])),
  }
}

// The reference: the same build, never interrupted.
const reference = (() => {
  let files: Promise<Record<string, Buffer>> | undefined
  return () =>
    (files ??= Promise.resolve().then(() => {
      const p = project()
      const r = p.build(TARGET, ...ARGS)
      assert.is(r.code, 0, r.stderr)
      const out = Object.fromEntries(FILES.map((f) => [f, readFileSync(p.path(`${OUT}/${f}`))]))
      p.remove()
      return out
    }))
})()

const sameBytes = (got: Record<string, Buffer>, want: Record<string, Buffer>) => {
  for (const f of FILES) assert.ok(got[f]!.equals(want[f]!), `${f} differs from the uninterrupted build's`)
}

test('SIGKILL of coin build mid-training, then rebuild: resumes at a saved step, byte-identical', async () => {
  const p = project()
  const killed = await interrupt(p, 'SIGKILL')
  assert.is(killed.signal, 'SIGKILL', `the first build must be killed, not finish: ${killed.stderr}`)
  const key = keyOf(killed.events)
  assert.ok(existsSync(p.path(`cache/scratch/${key}/learner-state.bin`)), 'a state was saved before the kill')
  const { at, files } = rebuild(p, key)
  assert.ok(at > 0 && at % EVERY === 0 && at < STEPS, `resumed at ${at}`)
  sameBytes(files, await reference())
  p.remove()
})

test('Ctrl-C (SIGINT) mid-training saves on the way out; the rebuild resumes there, byte-identical', async () => {
  const p = project()
  const stopped = await interrupt(p, 'SIGINT')
  assert.is.not(stopped.code, 0, stopped.stderr)
  const key = keyOf(stopped.events)
  const target = stopped.events.find((e) => e.event === 'target' && e.id === TARGET)
  assert.ok(target && target.event === 'target' && target.outcome === 'failed', 'the target was interrupted')
  const lastStep = Math.max(
    ...stopped.events.flatMap((e) => (e.event === 'progress' && e.id === TARGET ? [e.step ?? 0] : [])),
  )
  const { at, files } = rebuild(p, key)
  // Saved when the signal arrived, not only at the last multiple of EVERY.
  assert.ok(at >= lastStep && at > EVERY && at < STEPS, `resumed at ${at}, last reported step ${lastStep}`)
  sameBytes(files, await reference())
  p.remove()
})

test.run()
