/**
 * The remaining-time estimate of a build (plan/remaining.ts): the longest chain of unfinished
 * targets and the work over the pool's slots, from previous runs, this build's runs, and the
 * running targets' own progress; and the same number from a real Builder run.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Builder } from '../../src/build.ts'
import { CacheLayout } from '../../src/cache/layout.ts'
import { Store } from '../../src/cache/store.ts'
import { analyze } from '../../src/config/analyze.ts'
import { type AnyTargetDecl, defineCoinfile, output, rule } from '../../src/config/define.ts'
import type { BuildEvent } from '../../src/events.ts'
import type { Action, ActionResult } from '../../src/exec/action.ts'
import type { Executor, JobHandle } from '../../src/exec/executor.ts'
import { ResourcePool } from '../../src/exec/resources.ts'
import type { Graph } from '../../src/graph/graph.ts'
import { StatCache } from '../../src/hash/stat-cache.ts'
import { Planner } from '../../src/plan/planner.ts'
import { RemainingWork } from '../../src/plan/remaining.ts'
import { tempDir } from '../helpers/temp.ts'

const train = rule({ name: 'train', run: () => {} })
const score = rule({ name: 'score', run: () => {} })

const chain = (n: number): AnyTargetDecl[] => {
  const out: AnyTargetDecl[] = [train('c/0', { params: { i: 0 } })]
  for (let i = 1; i < n; i++)
    out.push(train(`c/${i}`, { params: { i }, inputs: { prev: output(`c/${i - 1}`) } }))
  return out
}
const fan = (n: number): AnyTargetDecl[] =>
  Array.from({ length: n }, (_, i) => train(`f/${i}`, { params: { i } }))

const graphOf = (targets: AnyTargetDecl[]): Graph =>
  analyze(defineCoinfile({ targets: () => targets }), {}, join(tmpdir(), 'Coinfile.ts'))

function tracker(g: Graph, previous: (id: string) => number | undefined, cpu: number) {
  return new RemainingWork({ graph: g, ids: g.order, previous, cpu, gpus: 0 })
}

const start = (id: string): BuildEvent => ({
  event: 'start',
  id,
  key: 'k',
  reason: 'never built',
  resources: { cpu: 1, gpus: [] },
})
const ran = (id: string): BuildEvent => ({ event: 'target', id, outcome: 'ran', durationMs: 0 })

test('same total work: a chain takes its sum, a fan-out the work over the slots', () => {
  const tenSeconds = () => 10_000
  const c = tracker(graphOf(chain(4)), tenSeconds, 2).estimate(0)!
  const f = tracker(graphOf(fan(4)), tenSeconds, 2).estimate(0)!
  assert.equal(c, { ms: 40_000, criticalPathMs: 40_000, workMs: 20_000 })
  assert.equal(f, { ms: 20_000, criticalPathMs: 10_000, workMs: 20_000 })
  assert.ok(c.ms > f.ms)
  // More slots shorten the fan-out only.
  assert.is(tracker(graphOf(fan(4)), tenSeconds, 4).estimate(0)!.ms, 10_000)
  assert.is(tracker(graphOf(chain(4)), tenSeconds, 4).estimate(0)!.ms, 40_000)
})

test('a diamond: the longer branch is the critical path', () => {
  const targets = [
    train('a', { params: { i: 1 } }),
    train('slow', { params: { i: 2 }, inputs: { a: output('a') } }),
    train('quick', { params: { i: 3 }, inputs: { a: output('a') } }),
    score('end', { inputs: { s: output('slow'), q: output('quick') } }),
  ]
  const ms: Record<string, number> = { a: 1000, slow: 30_000, quick: 2000, end: 500 }
  const e = tracker(graphOf(targets), (id) => ms[id], 8).estimate(0)!
  assert.is(e.criticalPathMs, 31_500)
  assert.is(e.ms, 31_500)
})

test('running and finished targets: elapsed time and step rate count, finished ones drop out', () => {
  const t = tracker(graphOf(chain(3)), () => 10_000, 1)
  t.observe(start('c/0'), 0)
  assert.is(t.estimate(4000)!.ms, 26_000)
  t.observe(ran('c/0'), 10_000)
  t.observe(start('c/1'), 10_000)
  // 100 of 1000 steps between t=11s and t=12s: 9 s left for c/1 (the rate, not the 10 s guess).
  t.observe({ event: 'progress', id: 'c/1', step: 100, total: 1000 }, 11_000)
  t.observe({ event: 'progress', id: 'c/1', step: 200, total: 1000 }, 12_000)
  assert.is(t.estimate(12_000)!.ms, 8000 + 10_000)
  t.observe(ran('c/1'), 20_000)
  t.observe(start('c/2'), 20_000)
  t.observe(ran('c/2'), 25_000)
  assert.is(t.estimate(25_000)!.ms, 0)
})

test('without previous runs: unknown until a target ran, then the mean of its rule, else of all', () => {
  const targets = [...fan(3), score('s/0', { params: { i: 9 } })]
  const t = tracker(graphOf(targets), () => undefined, 1)
  assert.is(t.estimate(0), undefined)
  t.observe(start('f/0'), 0)
  t.observe(ran('f/0'), 6000)
  // f/1, f/2: the mean of train's runs (6 s); s/0: no score ran, so the mean of all runs (6 s).
  assert.is(t.estimate(6000)!.ms, 18_000)
  t.observe(start('s/0'), 6000)
  t.observe(ran('s/0'), 7000)
  assert.is(t.estimate(7000)!.ms, 12_000)
})

test('recomputed at most once a second; in between it counts down', () => {
  const t = tracker(graphOf(fan(2)), () => 10_000, 1)
  assert.is(t.estimate(0)!.ms, 20_000)
  t.observe(start('f/0'), 100)
  t.observe(ran('f/0'), 200)
  assert.is(t.estimate(500)!.ms, 19_500, 'the last estimate, 0.5 s later')
  assert.is(t.estimate(1000)!.ms, 10_000, 'recomputed: f/0 is done')
})

/** Jobs that take `ms` each. */
class SleepExecutor implements Executor {
  readonly name = 'sleep'
  readonly remote = false
  constructor(readonly ms: number) {}
  newStaging(): string {
    const dir = tempDir('coin-remaining-staging-')
    mkdirSync(join(dir, 'out'))
    return dir
  }
  submit(job: Action): JobHandle {
    const done = new Promise<ActionResult>((resolve) =>
      setTimeout(() => {
        writeFileSync(join(job.staging, 'out', 'o.txt'), JSON.stringify(job.params))
        resolve({ status: 'ok' })
      }, this.ms),
    )
    return { action: job, done } as unknown as JobHandle
  }
  wait(h: JobHandle) {
    return (h as unknown as { done: Promise<ActionResult> }).done
  }
  cancel() {}
}

/** Builds `targets` twice in one cache (the second with other params, so everything reruns). */
async function estimateAtFirstStart(shape: (v: number) => AnyTargetDecl[], jobs: number) {
  const dir = tempDir('coin-remaining-')
  const layout = new CacheLayout(join(dir, 'cache'))
  const stat = new StatCache(undefined)
  const store = new Store(layout, stat)
  const once = async (v: number) => {
    const graph = analyze(defineCoinfile({ targets: () => shape(v) }), {}, join(dir, 'Coinfile.ts'))
    const planner = new Planner(
      graph,
      dir,
      { entry: join(dir, 'Coinfile.ts'), root: dir, modules: {}, exports: {} },
      stat,
      store,
      layout,
    )
    let started = false
    let first: number | undefined
    const builder: Builder = new Builder({
      graph,
      targets: graph.order,
      root: dir,
      layout,
      store,
      planner,
      pool: new ResourcePool(jobs, [], 64),
      executor: new SleepExecutor(150),
      keepGoing: false,
      emit: (e) => {
        if (e.event === 'start' && !started) {
          started = true
          first = builder.remaining()?.ms
        }
      },
      signal: new AbortController().signal,
    })
    const summary = await builder.build()
    assert.ok(summary.ok)
    return { first, graph }
  }
  const before = await once(1)
  assert.is(before.first, undefined, 'nothing known on the first build')
  const previous = before.graph.order.map((id) => store.readRecord(store.readOutState(id)!.key)!.durationMs)
  const after = await once(2)
  rmSync(dir, { recursive: true, force: true })
  return { estimate: after.first!, previous }
}

test('Builder: on a rebuild, the estimate comes from the previous runs and the graph', async () => {
  const chained = (v: number) => [
    train('c/0', { params: { v } }),
    train('c/1', { params: { v }, inputs: { p: output('c/0') } }),
    train('c/2', { params: { v }, inputs: { p: output('c/1') } }),
  ]
  const wide = (v: number) => [0, 1, 2].map((i) => train(`f/${i}`, { params: { v, i } }))
  const c = await estimateAtFirstStart(chained, 3)
  const f = await estimateAtFirstStart(wide, 3)
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)
  // The first target has only just started: the estimate is the previous durations' chain / max.
  assert.ok(Math.abs(c.estimate - sum(c.previous)) < 60, `${c.estimate} vs chain ${c.previous}`)
  assert.ok(Math.abs(f.estimate - Math.max(...f.previous)) < 60, `${f.estimate} vs fan ${f.previous}`)
  assert.ok(c.estimate > f.estimate)
})

test.run()
