/** The terminal reporter: the live block on a TTY and the compact plain form, from an event script. */
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createReporter } from '../../src/cli/reporter.ts'
import { analyze } from '../../src/config/analyze.ts'
import { type AnyTargetDecl, defineCoinfile, output, rule } from '../../src/config/define.ts'
import type { BuildEvent } from '../../src/events.ts'
import { RemainingWork } from '../../src/plan/remaining.ts'

const plainText = (s: string) => s.replace(/\x1b\[[0-9;]*[mFJ]/g, '')

function rig(kind: 'tty' | 'plain', remaining?: RemainingWork) {
  let t = 1_000_000
  const chunks: string[] = []
  const out = { columns: 120, write: (s: string) => chunks.push(s) > 0 }
  const r = createReporter(kind, 'results/forgetting', out, {
    now: () => t,
    refreshMs: 0,
    remaining: remaining && ((now) => remaining.estimate(now)?.ms),
  })
  return {
    emit: (e: BuildEvent) => {
      // As the Builder does: the estimate sees each event before the reporter.
      remaining?.observe(e, t)
      r(e)
    },
    advance: (ms: number) => {
      t += ms
    },
    /** What the screen shows after the last redraw: the last live block. */
    lastBlock: () => plainText(chunks.filter((c) => c.includes('done')).at(-1) ?? ''),
    all: () => plainText(chunks.join('')),
    close: () => r.close(),
  }
}

const start = (id: string): BuildEvent => ({
  event: 'start',
  id,
  key: 'k',
  reason: 'never built',
  resources: { cpu: 1, gpus: [] },
})
const target = (id: string, outcome: 'ran' | 'failed' | 'fresh', reason?: string): BuildEvent => ({
  event: 'target',
  id,
  outcome,
  durationMs: 1200,
  ...(reason ? { reason } : {}),
})

const step = rule({ name: 'step', run: () => {} })

/** The overall ETA of a live view whose build is `targets`, each known to take 60 s, on 2 slots. */
function etaOf(targets: AnyTargetDecl[]): string {
  const graph = analyze(defineCoinfile({ targets: () => targets }), {}, join('/nonexistent', 'Coinfile.ts'))
  const remaining = new RemainingWork({ graph, ids: graph.order, previous: () => 60_000, cpu: 2, gpus: 0 })
  const r = rig('tty', remaining)
  r.emit({ event: 'plan', targets: targets.length, selected: [] })
  r.emit(start(graph.order[0]!))
  r.advance(10_000)
  r.emit({ event: 'log', id: graph.order[0]!, line: 'working' })
  const eta = /ETA ~(\S+)/.exec(r.lastBlock().split('\n')[0]!)?.[1] ?? 'none'
  r.close()
  return eta
}

test('TTY: the overall ETA follows the critical path, not the target count', () => {
  const chain = [step('c/0', { params: { i: 0 } })]
  for (let i = 1; i < 4; i++)
    chain.push(step(`c/${i}`, { params: { i }, inputs: { p: output(`c/${i - 1}`) } }))
  const wide = [0, 1, 2, 3].map((i) => step(`w/${i}`, { params: { i } }))
  // Four minutes of work, 10 s into the first target: in a row 3m50s are left; side by side on
  // two slots, (50 s + 3 × 60 s) / 2 = 1m55s.
  assert.is(etaOf(chain), '3m50s')
  assert.is(etaOf(wide), '1m55s')
})

test('TTY: overall line with done/total, running and ETA; a bar with step/total, rate and ETA', () => {
  const graph = analyze(
    defineCoinfile({
      targets: () => [
        step('datasets/a', { params: { i: 0 } }),
        step('prep/a', { params: { i: 1 }, inputs: { d: output('datasets/a') } }),
        step('train/lora/1-a', { params: { i: 2 }, inputs: { d: output('prep/a') } }),
        step('train/gpu', { params: { i: 3 }, inputs: { d: output('prep/a') } }),
      ],
    }),
    {},
    join('/nonexistent', 'Coinfile.ts'),
  )
  const r = rig(
    'tty',
    new RemainingWork({ graph, ids: graph.order, previous: () => undefined, cpu: 2, gpus: 0 }),
  )
  r.emit({ event: 'plan', targets: 4, selected: [] })
  r.emit(target('datasets/a', 'fresh'))
  r.emit(start('prep/a'))
  r.advance(2000)
  r.emit(target('prep/a', 'ran'))
  r.emit(start('train/lora/1-a'))
  r.emit({ event: 'progress', id: 'train/lora/1-a', step: 100, total: 300, loss: 0.0123456 })
  r.advance(2000)
  r.emit({ event: 'progress', id: 'train/lora/1-a', step: 200, total: 300, loss: 0.00248 })
  r.emit(start('train/gpu'))
  r.emit({ event: 'log', id: 'train/gpu', line: 'epoch 1  10%\r epoch 1  40%\r' })
  const block = r.lastBlock()
  assert.match(block, 'coin results/forgetting  2/4 done  2 running')
  assert.match(block, /ETA ~\d+s/)
  assert.match(block, /train\/lora\/1-a .*200\/300 {2}50 step\/s {2}ETA 2s {2}loss 0\.00248/)
  assert.match(block, /train\/gpu .*epoch 1 {2}40%/)
  r.close()
})

test('TTY: a failure points to coin log; an interrupted target reads "interrupted", not failed', () => {
  const r = rig('tty')
  r.emit({ event: 'plan', targets: 2, selected: [] })
  r.emit(start('a'))
  r.emit(target('a', 'failed', 'command exited with code 1'))
  r.emit(start('b'))
  r.emit(target('b', 'failed', 'interrupted'))
  r.emit({
    event: 'done',
    ok: false,
    counts: { fresh: 0, restored: 0, ran: 0, failed: 2, skipped: 0 },
    durationMs: 5,
    interrupted: true,
  })
  const text = r.all()
  assert.match(text, /a {2,}failed .*command exited with code 1 {2}\(log: coin log a\)/)
  assert.match(text, /b {2,}interrupted /)
  assert.not.match(text, 'coin log b')
  assert.match(text, '✗ results/forgetting: interrupted')
})

test('plain: one line per finished target that did something, nothing for starts or fresh ones', () => {
  const r = rig('plain')
  r.emit({ event: 'plan', targets: 3, selected: [] })
  r.emit(target('x', 'fresh'))
  r.emit(start('y'))
  r.emit({ event: 'progress', id: 'y', step: 1, total: 2 })
  r.emit(target('y', 'ran'))
  r.emit(start('z'))
  r.emit(target('z', 'ran'))
  r.emit({
    event: 'done',
    ok: true,
    counts: { fresh: 1, restored: 0, ran: 2, failed: 0, skipped: 0 },
    durationMs: 5,
    interrupted: false,
  })
  const lines = r.all().trimEnd().split('\n')
  assert.equal(lines.length, 3, lines.join('\n'))
  assert.match(lines[0]!, /^ {2}y {2,}ran/)
  assert.match(lines[2]!, '✓ results/forgetting  (3 targets: 1 fresh, 2 ran)')
})

test('a resumed target: "resumed at step N" is printed once (TTY and plain); it is not a metric', () => {
  for (const kind of ['tty', 'plain'] as const) {
    const r = rig(kind)
    r.emit({ event: 'plan', targets: 1, selected: [] })
    r.emit(start('train/base'))
    r.emit({ event: 'progress', id: 'train/base', resumed: 400, step: 400, total: 1000 })
    r.emit({ event: 'progress', id: 'train/base', step: 425, total: 1000, loss: 0.5 })
    const text = r.all()
    assert.is(text.match(/train\/base +resumed {2}at step 400/g)?.length, 1, text)
    if (kind === 'tty') assert.not.match(r.lastBlock(), /resumed 400/)
    r.close()
  }
})

test('--json: log lines lose the carriage returns of progress bars', () => {
  const chunks: string[] = []
  const r = createReporter('json', 'all', { write: (s: string) => chunks.push(s) > 0 })
  r({ event: 'log', id: 'a', line: '10%\r40%' })
  r.close()
  assert.equal(JSON.parse(chunks[0]!), { event: 'log', id: 'a', line: '10%40%' })
})

test('--json: a burst of events is one write, and it is out by the end of the turn', async () => {
  const chunks: string[] = []
  const r = createReporter('json', 'all', { write: (s: string) => chunks.push(s) > 0 })
  for (let i = 0; i < 300; i++) r(target(`t${i}`, 'fresh'))
  assert.is(chunks.length, 0)
  await new Promise((resolve) => setImmediate(resolve))
  assert.is(chunks.length, 1)
  const lines = chunks[0]!.trimEnd().split('\n')
  assert.is(lines.length, 300)
  assert.is(JSON.parse(lines[299]!).id, 't299')
  // A later event is not held back by the earlier burst.
  r(target('late', 'ran'))
  await new Promise((resolve) => setImmediate(resolve))
  assert.is(JSON.parse(chunks[1]!).id, 'late')
  r.close()
})

test.run()
