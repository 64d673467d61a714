/**
 * The scheduler and build loop with an injected executor (no processes): parallelism bounded by
 * -j, GPU ids handed out, critical-path-first order, keep-going, and cancellation.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { build, LOOKAHEAD } from '../../src/build.ts'
import { CacheLayout } from '../../src/cache/layout.ts'
import { Store } from '../../src/cache/store.ts'
import { analyze } from '../../src/config/analyze.ts'
import { type AnyTargetDecl, defineCoinfile, output, rule } from '../../src/config/define.ts'
import type { BuildEvent } from '../../src/events.ts'
import type { Action, ActionResult } from '../../src/exec/action.ts'
import type { Executor, JobHandle } from '../../src/exec/executor.ts'
import { type Grant, type Request, ResourcePool } from '../../src/exec/resources.ts'
import { StatCache } from '../../src/hash/stat-cache.ts'
import { Planner } from '../../src/plan/planner.ts'
import { tempDir } from '../helpers/temp.ts'

/** Records what it was asked to run; each job finishes when the test says so (or after `ms`). */
class FakeExecutor implements Executor {
  readonly name = 'fake'
  readonly remote = false
  started: Action[] = []
  running = 0
  maxRunning = 0
  constructor(
    readonly ms = 5,
    readonly fail = new Set<string>(),
  ) {}
  newStaging(): string {
    const dir = tempDir('coin-fake-staging-')
    mkdirSync(join(dir, 'out'))
    return dir
  }
  submit(job: Action): JobHandle {
    this.started.push(job)
    this.running++
    this.maxRunning = Math.max(this.maxRunning, this.running)
    const h = {
      action: job,
      cancelled: false,
      done: new Promise<ActionResult>((resolve) => {
        setTimeout(() => {
          this.running--
          if (h.cancelled) return resolve({ status: 'cancelled' })
          if (this.fail.has(job.id))
            return resolve({ status: 'failed', cause: 'error', diagnostic: { message: 'boom' } })
          writeFileSync(join(job.staging, 'out', 'o.txt'), job.id)
          resolve({ status: 'ok' })
        }, this.ms)
      }),
    }
    return h
  }
  wait(h: JobHandle) {
    return (h as unknown as { done: Promise<ActionResult> }).done
  }
  cancel(h: JobHandle) {
    ;(h as unknown as { cancelled: boolean }).cancelled = true
  }
}

const r = rule({ name: 'r', run: () => {} })

async function setup(
  targets: AnyTargetDecl[],
  pool: ResourcePool,
  exec: FakeExecutor,
  opts: { keepGoing?: boolean; signal?: AbortSignal } = {},
) {
  const dir = tempDir('coin-sched-')
  const coinfile = defineCoinfile({ targets: () => targets })
  const graph = analyze(coinfile, {}, join(dir, 'Coinfile.ts'))
  const layout = new CacheLayout(join(dir, 'cache'))
  const stat = new StatCache(undefined)
  const store = new Store(layout, stat)
  const planner = new Planner(
    graph,
    dir,
    { entry: join(dir, 'Coinfile.ts'), root: dir, modules: {}, exports: {} },
    stat,
    store,
    layout,
  )
  const events: BuildEvent[] = []
  const summary = await build({
    graph,
    targets: graph.order,
    root: dir,
    layout,
    store,
    planner,
    pool,
    executor: exec,
    keepGoing: !!opts.keepGoing,
    emit: (e) => events.push(e),
    signal: opts.signal ?? new AbortController().signal,
  })
  rmSync(dir, { recursive: true, force: true })
  return { summary, events }
}

test('-j bounds concurrency', async () => {
  const exec = new FakeExecutor(20)
  const targets = Array.from({ length: 8 }, (_, i) => r(`t/${i}`, { params: { i } }))
  const { summary } = await setup(targets, new ResourcePool(3, [], 64), exec)
  assert.ok(summary.ok)
  assert.is(exec.started.length, 8)
  assert.is(exec.maxRunning, 3)
})

test('GPU ids: a 2-GPU job gets two distinct free ids, never shared while running', async () => {
  const exec = new FakeExecutor(20)
  const targets = [
    r('g/a', { params: { i: 1 }, resources: { gpu: 2 } }),
    r('g/b', { params: { i: 2 }, resources: { gpu: 2 } }),
    r('g/c', { params: { i: 3 }, resources: { gpu: 1 } }),
  ]
  const { events } = await setup(targets, new ResourcePool(8, ['0', '1', '2', '3'], 64), exec)
  const starts = events.filter((e): e is Extract<BuildEvent, { event: 'start' }> => e.event === 'start')
  assert.is(starts.length, 3)
  for (const s of starts) assert.is(new Set(s.resources.gpus).size, s.resources.gpus.length)
  const a = starts.find((s) => s.id === 'g/a')!.resources.gpus
  const b = starts.find((s) => s.id === 'g/b')!.resources.gpus
  assert.is(a.length, 2)
  assert.equal(
    a.filter((g) => b.includes(g)),
    [],
  )
  assert.is(exec.started.find((j) => j.id === 'g/c')!.grant.gpus.length, 1)
})

/** A pool that records the most requests waiting in it at once. */
class CountingPool extends ResourcePool {
  maxWaiting = 0
  override acquire(req: Request, priority: number, signal?: AbortSignal): Promise<Grant> {
    const p = super.acquire(req, priority, signal)
    this.maxWaiting = Math.max(this.maxWaiting, this.waiting)
    return p
  }
}

test('look-ahead is bounded: a wide build never has more than LOOKAHEAD targets waiting for a slot', async () => {
  const exec = new FakeExecutor(1)
  const n = 3 * LOOKAHEAD
  const targets = Array.from({ length: n }, (_, i) => r(`w/${i}`, { params: { i } }))
  const pool = new CountingPool(1, [], 64)
  const { summary } = await setup(targets, pool, exec)
  assert.ok(summary.ok)
  assert.is(exec.started.length, n)
  assert.ok(pool.maxWaiting <= LOOKAHEAD, `${pool.maxWaiting} waited at once`)
  assert.ok(pool.maxWaiting >= LOOKAHEAD / 2, `only ${pool.maxWaiting} waited: the pool had no choice`)
})

test('bounded look-ahead: CPU-only targets behind many GPU waiters still start while the GPU is busy', async () => {
  const exec = new FakeExecutor(30)
  const gpuJobs = Array.from({ length: LOOKAHEAD + 8 }, (_, i) =>
    r(`gpu/${i}`, { params: { i }, resources: { gpu: 1 } }),
  )
  const cpuJobs = Array.from({ length: 4 }, (_, i) => r(`cpu/${i}`, { params: { c: i } }))
  await setup([...gpuJobs, ...cpuJobs], new ResourcePool(2, ['0'], 64), exec)
  const order = exec.started.map((a) => a.id)
  // The GPU runs one job at a time (30 ms each); the CPU jobs use the second slot meanwhile.
  for (const id of cpuJobs.map((t) => t.id))
    assert.ok(order.indexOf(id) < 8, `${id} started at ${order.indexOf(id)}`)
})

test('critical path first: the head of the long chain starts before independent leaves', async () => {
  const exec = new FakeExecutor(5)
  const targets = [
    r('leaf/1', { params: { i: 1 } }),
    r('leaf/2', { params: { i: 2 } }),
    r('chain/1', { params: { i: 3 } }),
    r('chain/2', { params: { i: 4 }, inputs: { p: output('chain/1') } }),
    r('chain/3', { params: { i: 5 }, inputs: { p: output('chain/2') } }),
  ]
  await setup(targets, new ResourcePool(1, [], 64), exec)
  assert.is(exec.started[0]!.id, 'chain/1')
})

test('a failure skips dependents; keep-going still runs independent work', async () => {
  const mk = () => [
    r('a', { params: { i: 1 } }),
    r('b', { params: { i: 2 }, inputs: { a: output('a') } }),
    r('c', { params: { i: 3 } }),
  ]
  const stop = await setup(mk(), new ResourcePool(1, [], 64), new FakeExecutor(5, new Set(['a'])))
  const outcome = (ev: BuildEvent[], id: string) =>
    ev.find((e) => e.event === 'target' && e.id === id) as { outcome: string }
  assert.is(outcome(stop.events, 'b').outcome, 'skipped')
  assert.not.ok(stop.summary.ok)
  const kg = await setup(mk(), new ResourcePool(1, [], 64), new FakeExecutor(5, new Set(['a'])), {
    keepGoing: true,
  })
  assert.is(outcome(kg.events, 'c').outcome, 'ran')
  assert.is(outcome(kg.events, 'b').outcome, 'skipped')
})

test('a bug in one target ends the build once the rest settled; nothing downstream of it runs', async () => {
  // An executor that throws is coin's own error, not a failed target: the build rejects with it.
  class ThrowingExecutor extends FakeExecutor {
    override submit(job: Action): JobHandle {
      if (job.id === 'a') throw new Error('executor bug')
      return super.submit(job)
    }
  }
  const exec = new ThrowingExecutor(20)
  const targets = [
    r('a', { params: { i: 1 } }),
    r('b', { params: { i: 2 }, inputs: { a: output('a') } }),
    r('d', { params: { i: 4 }, inputs: { b: output('b') } }),
    r('c', { params: { i: 3 } }),
  ]
  let thrown: unknown
  try {
    await setup(targets, new ResourcePool(2, [], 64), exec)
  } catch (err) {
    thrown = err
  }
  assert.instance(thrown, Error)
  assert.is((thrown as Error).message, 'executor bug')
  // c, independent, ran to its end before the build rejected; b and d never started.
  assert.equal(
    exec.started.map((j) => j.id),
    ['c'],
  )
  assert.is(exec.running, 0)
})

test('abort cancels running jobs and records nothing', async () => {
  const controller = new AbortController()
  const exec = new FakeExecutor(200)
  setTimeout(() => controller.abort(new Error('SIGINT')), 30)
  const { summary, events } = await setup(
    [r('x', { params: { i: 1 } }), r('y', { params: { i: 2 } })],
    new ResourcePool(2, [], 64),
    exec,
    {
      signal: controller.signal,
    },
  )
  assert.ok(summary.interrupted)
  assert.is(summary.counts.ran, 0)
  assert.ok(events.some((e) => e.event === 'done' && e.interrupted))
})

test('resource pool grants by priority and respects memory', async () => {
  const pool = new ResourcePool(1, [], 10)
  const order: string[] = []
  const first = await pool.acquire({ cpu: 1, gpu: 0, memGB: 0 }, 0)
  const lo = pool.acquire({ cpu: 1, gpu: 0, memGB: 0 }, 1).then((g) => {
    order.push('lo')
    return g
  })
  const hi = pool.acquire({ cpu: 1, gpu: 0, memGB: 0 }, 9).then((g) => {
    order.push('hi')
    return g
  })
  pool.release(first)
  pool.release(await hi)
  pool.release(await lo)
  assert.equal(order, ['hi', 'lo'])
  assert.not.ok(pool.fits({ cpu: 1, gpu: 0, memGB: 11 }))
  assert.not.ok(pool.fits({ cpu: 1, gpu: 1, memGB: 0 }))
})

test('with no whole slot free, a waiter asking for half a slot still starts past one asking for a slot', async () => {
  const pool = new ResourcePool(2, [], 10)
  const big = await pool.acquire({ cpu: 1.5, gpu: 0, memGB: 0 }, 0)
  const started: string[] = []
  const whole = pool.acquire({ cpu: 1, gpu: 0, memGB: 0 }, 9).then((g) => {
    started.push('whole')
    return g
  })
  const half = pool.acquire({ cpu: 0.5, gpu: 0, memGB: 0 }, 1).then((g) => {
    started.push('half')
    return g
  })
  pool.release(await half)
  assert.equal(started, ['half'], 'the 1-slot waiter waits: 0.5 slots free')
  pool.release(big)
  pool.release(await whole)
  assert.equal(started, ['half', 'whole'])
})

test.run()
