/**
 * Runs a build: walks the selected targets' graph in parallel, and for each target, once its
 * upstream outputs are known, decides fresh / restore / run (see Planner). Running takes resources
 * from the pool (critical path first), a per-key lock (so concurrent coin processes run each key
 * once), then the executor; success commits the outputs to the store and materialises them.
 * Every outcome is emitted as a BuildEvent.
 */

import { setMaxListeners } from 'node:events'
import { chmodSync, copyFileSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { dirname, join } from 'node:path'
import { tmpName } from './cache/atomic.ts'
import type { CacheLayout } from './cache/layout.ts'
import { lock } from './cache/lock.ts'
import type { ActionRecord, OutState, Store } from './cache/store.ts'
import { UserError } from './errors.ts'
import type { BuildEvent, Emit, Outcome } from './events.ts'
import type { Executor, JobHandle } from './exec/executor.ts'
import type { ResourcePool } from './exec/resources.ts'
import type { Graph } from './graph/graph.ts'
import type { Fingerprint, Planner, Upstream } from './plan/planner.ts'

export interface BuildOptions {
  graph: Graph
  /** Selected ids; their dependency closure is built. */
  targets: readonly string[]
  root: string
  layout: CacheLayout
  store: Store
  planner: Planner
  pool: ResourcePool
  executor: Executor
  keepGoing: boolean
  emit: Emit
  signal: AbortSignal
}

interface Result {
  outcome: Outcome
  upstream?: Upstream
  reason?: string
}

export interface BuildSummary {
  ok: boolean
  counts: Record<Outcome, number>
  interrupted: boolean
  /** The first user error met while fingerprinting (a missing input...), reported as such. */
  userError?: UserError
}

export async function build(o: BuildOptions): Promise<BuildSummary> {
  const started = Date.now()
  const ids = o.graph.closure(o.targets)
  o.emit({ event: 'plan', targets: ids.length, selected: [...o.targets] })
  for (const id of ids) {
    const r = o.graph.get(id).decl.resources
    if (!o.pool.fits({ cpu: r.cpu, gpu: r.gpu, memGB: r.memGB }))
      throw new UserError({
        message: `target "${id}" asks for ${r.gpu} GPU(s) and ${r.memGB} GB but the pool has ${o.pool.gpus.length} GPU(s) and ${o.pool.memGB} GB`,
        file: o.graph.get(id).decl.site?.file,
        line: o.graph.get(id).decl.site?.line,
        key: `${id}.resources`,
        fix: 'pass --gpus 0,1,... / --mem N, or lower the target’s resources',
      })
  }
  const swept = o.store.sweepStaging()
  if (swept) o.emit({ event: 'swept', staging: swept })

  const priority = o.graph.criticalPath(ids, () => 1)
  const counts: Record<Outcome, number> = { fresh: 0, restored: 0, ran: 0, failed: 0, skipped: 0 }
  const running = new Set<JobHandle>()
  let stopping = false
  let userError: UserError | undefined
  const onAbort = () => {
    stopping = true
    for (const h of running) o.executor.cancel(h)
  }
  o.signal.addEventListener('abort', onAbort)
  // One listener per waiting job and lock is expected, not a leak.
  setMaxListeners(0, o.signal)

  const memo = new Map<string, Promise<Result>>()
  const finish = (
    id: string,
    r: Result,
    t0: number,
    extra: Partial<Extract<BuildEvent, { event: 'target' }>> = {},
  ) => {
    counts[r.outcome]++
    o.emit({
      event: 'target',
      id,
      outcome: r.outcome,
      durationMs: Date.now() - t0,
      reason: r.reason,
      ...extra,
    })
    if (r.outcome === 'failed' && !o.keepGoing) stopping = true
    return r
  }

  const visit = (id: string): Promise<Result> => {
    let p = memo.get(id)
    if (!p) {
      p = visitOnce(id)
      memo.set(id, p)
    }
    return p
  }

  const visitOnce = async (id: string): Promise<Result> => {
    const node = o.graph.get(id)
    const deps = await Promise.all(node.deps.map((d) => visit(d).then((r) => [d, r] as const)))
    const t0 = Date.now()
    const bad = deps.find(([, r]) => !r.upstream)
    if (bad) return finish(id, { outcome: 'skipped', reason: `upstream ${bad[0]} ${bad[1].outcome}` }, t0)
    if (stopping) return finish(id, { outcome: 'skipped', reason: 'build stopped' }, t0)
    const up = new Map(deps.map(([d, r]) => [d, r.upstream!]))
    let fp: Fingerprint
    try {
      fp = await o.planner.fingerprint(id, (d) => up.get(d)!)
    } catch (err) {
      if (err instanceof UserError) {
        userError ??= err
        return finish(id, { outcome: 'failed', reason: err.message }, t0, { error: err.message })
      }
      throw err
    }
    const decision = await o.planner.decide(id, fp)
    if (decision.status === 'fresh') {
      const published = publish(o, id, decision.state)
      return finish(id, { outcome: 'fresh', upstream: upstreamOf(o.layout, id, decision.state) }, t0, {
        key: fp.key,
        published,
      })
    }
    if (decision.status === 'restorable') {
      const restored = await tryRestore(o, id, decision.record)
      if (restored)
        return finish(id, { outcome: 'restored', upstream: restored.up, reason: decision.reason }, t0, {
          key: fp.key,
          published: restored.published,
        })
    }
    return run(id, fp, decision.reason, t0)
  }

  const run = async (id: string, fp: Fingerprint, reason: string, t0: number): Promise<Result> => {
    const { decl } = o.graph.get(id)
    let grant: Awaited<ReturnType<ResourcePool['acquire']>>
    try {
      grant = await o.pool.acquire(
        { cpu: decl.resources.cpu, gpu: decl.resources.gpu, memGB: decl.resources.memGB },
        priority.get(id) ?? 0,
        o.signal,
      )
    } catch {
      return finish(id, { outcome: 'skipped', reason: 'build stopped' }, t0)
    }
    try {
      if (stopping) return finish(id, { outcome: 'skipped', reason: 'build stopped' }, t0)
      const held = await lock(o.layout.lock(fp.key), o.signal, () =>
        o.emit({ event: 'waiting', id, key: fp.key, holder: 'lock' }),
      ).catch(() => undefined)
      if (!held) return finish(id, { outcome: 'skipped', reason: 'build stopped' }, t0)
      try {
        // Another process may have built this key while we waited for the lock.
        const built = o.store.readRecord(fp.key)
        if (built) {
          const restored = await tryRestore(o, id, built)
          if (restored)
            return finish(
              id,
              { outcome: 'restored', upstream: restored.up, reason: 'built by another coin process' },
              t0,
              { key: fp.key, published: restored.published },
            )
        }
        o.emit({ event: 'start', id, key: fp.key, reason, resources: { cpu: grant.cpu, gpus: grant.gpus } })
        const staging = o.store.newStaging()
        const logLines: string[] = []
        const startedAt = new Date()
        const handle = o.executor.submit({
          id,
          key: fp.key,
          decl,
          inputs: fp.inputs,
          staging,
          root: o.root,
          grant,
          log: (line) => {
            logLines.push(line)
            o.emit({ event: 'log', id, line })
          },
          progress: (p) => o.emit({ ...p, event: 'progress', id }),
        })
        running.add(handle)
        const result = await o.executor.wait(handle)
        running.delete(handle)
        const logText = logLines.length ? `${logLines.join('\n')}\n` : ''
        writeLastLog(o.layout.log(id), logText)
        if (!result.ok || o.signal.aborted) {
          rmSync(staging, { recursive: true, force: true })
          const error = o.signal.aborted ? 'interrupted' : result.ok ? 'failed' : result.error
          return finish(id, { outcome: 'failed', reason: error }, t0, { key: fp.key, error })
        }
        const logFile = logText ? join(staging, 'log') : undefined
        if (logFile) writeFileSync(logFile, logText)
        const record = await o.store.commit(
          staging,
          {
            key: fp.key,
            keyData: fp.keyData,
            rule: decl.rule.name,
            target: id,
            startedAt: startedAt.toISOString(),
            durationMs: Date.now() - startedAt.getTime(),
            executor: o.executor.name,
            host: hostname(),
          },
          logFile,
        )
        const state = o.store.materialize(id, record)
        const published = publish(o, id, state)
        return finish(id, { outcome: 'ran', upstream: upstreamOf(o.layout, id, state), reason }, t0, {
          key: fp.key,
          published,
        })
      } finally {
        held.release()
      }
    } finally {
      o.pool.release(grant)
    }
  }

  const results = await Promise.allSettled(ids.map(visit))
  o.signal.removeEventListener('abort', onAbort)
  const crashed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined
  if (crashed) throw crashed.reason
  const interrupted = o.signal.aborted
  const ok = counts.failed === 0 && counts.skipped === 0 && !interrupted
  o.emit({ event: 'done', ok, counts, durationMs: Date.now() - started, interrupted })
  return { ok, counts, interrupted, userError }
}

function upstreamOf(layout: CacheLayout, id: string, state: OutState): Upstream {
  return { outputDigest: state.outputDigest, outDir: layout.outDir(id) }
}

async function tryRestore(o: BuildOptions, id: string, record: ActionRecord) {
  const check = await o.store.verify(record)
  if (!check.ok) return undefined
  const state = o.store.materialize(id, record)
  return { up: upstreamOf(o.layout, id, state), published: publish(o, id, state) }
}

/** The last attempt's log (kept for failures too). Empty logs are not written: `coin log` says so. */
function writeLastLog(path: string, text: string): void {
  if (!text) {
    rmSync(path, { force: true })
    return
  }
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, text)
}

/**
 * Copies a target's outputs into the project (e.g. `results/`), which is not disposable: each file
 * is written to a temp name and renamed, so a crash never leaves a half-written report. Skipped
 * when the published copies still have the size and mtime we left them with.
 */
function publish(o: BuildOptions, id: string, state: OutState): string[] | undefined {
  const dest = o.graph.get(id).decl.publish
  if (!dest) return undefined
  const destDir = join(o.root, dest)
  const paths = state.files.map((f) => join(dest, f.path))
  const snap = state.published
  const intact =
    snap?.dir === dest &&
    snap.files.length === state.files.length &&
    snap.files.every((f) => {
      try {
        const st = statSync(join(destDir, f.path))
        return st.size === f.size && st.mtimeMs === f.mtimeMs
      } catch {
        return false
      }
    })
  if (intact) return paths
  const files = state.files.map((f) => {
    const target = join(destDir, f.path)
    mkdirSync(dirname(target), { recursive: true })
    const tmp = tmpName(target)
    copyFileSync(join(o.layout.outDir(id), f.path), tmp)
    // Published copies are the user's files, not links into the cache: make them writable.
    chmodSync(tmp, 0o644)
    renameSync(tmp, target)
    const st = statSync(target)
    return { path: f.path, size: st.size, mtimeMs: st.mtimeMs }
  })
  o.store.writeOutState(id, { ...state, published: { dir: dest, files } })
  return paths
}
