/**
 * Runs a build: walks the selected targets' graph in parallel, and for each target, once its
 * upstream outputs are known, decides fresh / restore / run (see Planner). Each decision is one
 * method of `Builder`. Running turns the target into an `Action` (plain data), takes resources
 * from the pool (critical path first) and a per-key lock (so concurrent coin processes run each
 * key once), then hands the action to its executor; success commits the outputs to the store and
 * materialises them. A remote executor (Slurm) schedules its own resources and its worker locks
 * and commits; the build then restores the record it wrote. Every outcome is emitted as a BuildEvent.
 */

import { setMaxListeners } from 'node:events'
import { chmodSync, copyFileSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { tmpName } from './cache/atomic.ts'
import { inDir, removeFile } from './cache/fs-ops.ts'
import type { CacheLayout } from './cache/layout.ts'
import { LiveLog } from './cache/live-log.ts'
import { type HeldLock, lock } from './cache/lock.ts'
import { prepareScratch } from './cache/scratch.ts'
import { type ActionRecord, OutputRejected, type OutState, type Store } from './cache/store.ts'
import { type Diagnostic, isDiskFull, UserError } from './errors.ts'
import type { BuildEvent, Emit, Outcome } from './events.ts'
import type { Action, ActionResult } from './exec/action.ts'
import { commitAndMaterializeAction } from './exec/commit.ts'
import type { Executor, JobHandle } from './exec/executor.ts'
import type { Grant, ResourcePool } from './exec/resources.ts'
import { stopShellServer } from './exec/shell-server.ts'
import type { Graph } from './graph/graph.ts'
import type { Fingerprint, KeyStats, Planner, Upstream } from './plan/planner.ts'
import { publishDir } from './plan/preflight.ts'
import { ReadyQueue } from './plan/ready-queue.ts'
import { type RemainingEstimate, RemainingWork } from './plan/remaining.ts'

export interface BuildOptions {
  graph: Graph
  /** Selected ids; their dependency closure is built. */
  targets: readonly string[]
  root: string
  layout: CacheLayout
  store: Store
  planner: Planner
  pool: ResourcePool
  /** The executor of targets that do not choose one (see `executorFor`). */
  executor: Executor
  /** Per-target choice (a target's `executor:`); defaults to `executor` for every target. */
  executorFor?: (id: string) => Executor
  keepGoing: boolean
  emit: Emit
  signal: AbortSignal
  /** The Coinfile and `--set` values, written into actions so a worker rebuilds the same rules. */
  coinfile?: string
  sets?: readonly string[]
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
  /**
   * The first user error met (a missing input while fingerprinting, or a rule's UserError about a
   * malformed record...): the build exits 2 and prints it with its file, key and fix.
   */
  userError?: UserError
  /** Every key this build computed (with the stats it rests on), for the up-to-date stamp. */
  fingerprints: ReadonlyMap<string, KeyStats>
}

type TargetExtra = Partial<Extract<BuildEvent, { event: 'target' }>>

/**
 * At least this many visited targets may wait for a slot at once (4 per CPU slot when more):
 * enough to keep the pool's choice by critical path, few enough to keep memory flat.
 */
export const LOOKAHEAD = 64

export async function build(o: BuildOptions): Promise<BuildSummary> {
  return new Builder(o).build()
}

export class Builder {
  readonly #o: BuildOptions
  readonly #counts: Record<Outcome, number> = { fresh: 0, restored: 0, ran: 0, failed: 0, skipped: 0 }
  readonly #running = new Map<JobHandle, Executor>()
  readonly #results = new Map<string, Result>()
  // Only the key and its stats: a whole fingerprint (key data, input paths) would stay live for
  // the whole build (3 MB at 10k targets).
  readonly #fingerprints = new Map<string, KeyStats>()
  #priority = new Map<string, number>()
  #stopping = false
  #userError: UserError | undefined
  #remaining: RemainingWork | undefined
  /** Visited targets without a slot yet (fingerprinting, deciding, waiting for the pool). */
  #unslotted = 0
  /** Visited targets that got a slot (running), until they settle. */
  readonly #slotted = new Set<string>()
  /** Admits ready targets while the bound allows (see #visitAll); set during a build. */
  #admit: (() => void) | undefined

  constructor(o: BuildOptions) {
    // Every event also feeds the remaining-time estimate (see `remaining`).
    this.#o = {
      ...o,
      emit: (e) => {
        this.#remaining?.observe(e, Date.now())
        o.emit(e)
      },
    }
  }

  /**
   * How long the rest of this build should take, from the critical path of what is left and the
   * pool's slots (see plan/remaining.ts); undefined before the build starts or while no duration
   * is known. For a live view: the engine only gives the number.
   */
  remaining(now = Date.now()): RemainingEstimate | undefined {
    return this.#remaining?.estimate(now)
  }

  #executor(id: string): Executor {
    return this.#o.executorFor?.(id) ?? this.#o.executor
  }

  async build(): Promise<BuildSummary> {
    const o = this.#o
    const started = Date.now()
    const ids = o.graph.closure(o.targets)
    this.#remaining = new RemainingWork({
      graph: o.graph,
      ids,
      previous: (id) => {
        const key = o.store.readOutState(id)?.key
        return key ? o.store.readRecord(key)?.durationMs : undefined
      },
      cpu: o.pool.cpu,
      gpus: o.pool.gpus.length,
      remote: (id) => this.#executor(id).remote,
    })
    o.emit({ event: 'plan', targets: ids.length, selected: [...o.targets] })
    this.#checkFits(ids)
    const swept = o.store.sweepStaging()
    if (swept) o.emit({ event: 'swept', staging: swept })
    this.#priority = o.graph.criticalPath(ids, () => 1)

    const onAbort = () => {
      this.#stopping = true
      for (const [h, ex] of this.#running) ex.cancel(h)
    }
    o.signal.addEventListener('abort', onAbort)
    // One listener per waiting job and lock is expected, not a leak.
    setMaxListeners(0, o.signal)
    o.pool.onDrain = () => this.#admit?.()
    const crash = await this.#visitAll(ids)
    o.pool.onDrain = undefined
    await o.store.settle()
    await stopShellServer()
    o.signal.removeEventListener('abort', onAbort)
    if (crash) throw crash.error
    const interrupted = o.signal.aborted
    const counts = this.#counts
    const ok = counts.failed === 0 && counts.skipped === 0 && !interrupted
    o.emit({ event: 'done', ok, counts, durationMs: Date.now() - started, interrupted })
    return { ok, counts, interrupted, userError: this.#userError, fingerprints: this.#fingerprints }
  }

  /** Every local target must fit the pool (a remote executor schedules its own resources). */
  #checkFits(ids: readonly string[]): void {
    const o = this.#o
    for (const id of ids) {
      if (this.#executor(id).remote) continue
      const { decl } = o.graph.get(id)
      const r = decl.resources
      if (!o.pool.fits({ cpu: r.cpu, gpu: r.gpu, memGB: r.memGB }))
        throw new UserError({
          message: `target "${id}" asks for ${r.gpu} GPU(s) and ${r.memGB} GB but the pool has ${o.pool.gpus.length} GPU(s) and ${o.pool.memGB} GB`,
          file: decl.site?.file,
          line: decl.site?.line,
          key: `${id}.resources`,
          fix: 'pass --gpus 0,1,... / --mem N, or lower the target’s resources',
        })
    }
  }

  #finish(id: string, r: Result, t0: number, extra: TargetExtra = {}): Result {
    this.#counts[r.outcome]++
    this.#o.emit({
      event: 'target',
      id,
      outcome: r.outcome,
      durationMs: Date.now() - t0,
      reason: r.reason,
      ...extra,
    })
    if (r.outcome === 'failed' && !this.#o.keepGoing) this.#stopping = true
    return r
  }

  #stopped(id: string, t0: number): Result {
    return this.#finish(id, { outcome: 'skipped', reason: 'build stopped' }, t0)
  }

  /**
   * Visits every target once all its upstream targets have a result, and resolves when every
   * target has one; an internal error (a bug, not a failed target) is returned once the rest has
   * settled, and the targets downstream of it are not visited. Nothing waits in a pending call per
   * target: at 10k targets those frames were ~15 MB of live heap, and V8 sizes the heap it lets
   * grow from the live set (issue 8's note on peak memory).
   *
   * Look-ahead is bounded: ready targets wait in a priority queue (ids only) and at most
   * `lookahead` visited targets wait without a slot; each of those holds its fingerprint and
   * frames (~1.7 KB), and a wide build at -j 2 had ~8k of them. Past the bound a target is still
   * admitted when it outranks a target already waiting (the pool would start it first), and one
   * at a time while the pool is starved (its waiters all need a taken GPU, a CPU slot is free).
   */
  #visitAll(ids: readonly string[]): Promise<{ error: unknown } | undefined> {
    const { graph, pool } = this.#o
    // How many results each target still waits for, counted along the same `dependents` edges
    // that release it, so the two always agree.
    const waiting = new Map<string, number>()
    for (const id of ids) waiting.set(id, 0)
    for (const id of ids)
      for (const d of graph.get(id).dependents) {
        const n = waiting.get(d)
        if (n !== undefined) waiting.set(d, n + 1)
      }
    const ready = new ReadyQueue()
    const lookahead = Math.max(LOOKAHEAD, 4 * pool.cpu)
    return new Promise((resolve) => {
      let left = ids.length
      let crash: { error: unknown } | undefined
      const crashed = new Set<string>()
      // The pool would start the next ready target before one of its waiters.
      const outranksAWaiter = () => {
        const lowest = pool.lowestPriority
        return lowest !== undefined && ready.topPriority! > lowest
      }
      const admit = () => {
        while (ready.size > 0 && (this.#unslotted < lookahead || outranksAWaiter())) visit(ready.pop()!)
        if (ready.size > 0 && pool.starved) visit(ready.pop()!)
      }
      this.#admit = admit
      const settled = (id: string) => {
        left--
        if (!this.#slotted.delete(id)) this.#unslotted--
        for (const d of graph.get(id).dependents) {
          const n = waiting.get(d)
          if (n === undefined) continue
          waiting.set(d, n - 1)
          if (n === 1) ready.push(d, this.#priority.get(d) ?? 0)
        }
        admit()
        if (left === 0) {
          this.#admit = undefined
          resolve(crash)
        }
      }
      const visit = (id: string) => {
        this.#unslotted++
        if (graph.get(id).deps.some((d) => crashed.has(d))) {
          crashed.add(id)
          settled(id)
          return
        }
        this.#visitOne(id).then(
          (r) => {
            this.#results.set(id, r)
            settled(id)
          },
          (error: unknown) => {
            crash ??= { error }
            crashed.add(id)
            settled(id)
          },
        )
      }
      if (left === 0) resolve(undefined)
      for (const id of ids) if (waiting.get(id) === 0) ready.push(id, this.#priority.get(id) ?? 0)
      admit()
    })
  }

  /** A visited target got its slot (or went to a remote executor): it no longer counts as look-ahead. */
  #gotSlot(id: string): void {
    this.#slotted.add(id)
    this.#unslotted--
    this.#admit?.()
  }

  /** Its upstream targets have results: fingerprints, then takes one of the three decisions. */
  async #visitOne(id: string): Promise<Result> {
    const o = this.#o
    const node = o.graph.get(id)
    const t0 = Date.now()
    const bad = node.deps.find((d) => !this.#results.get(d)?.upstream)
    if (bad !== undefined)
      return this.#finish(
        id,
        { outcome: 'skipped', reason: `upstream ${bad} ${this.#results.get(bad)?.outcome}` },
        t0,
      )
    if (this.#stopping) return this.#stopped(id, t0)
    let fp: Fingerprint
    try {
      fp = await o.planner.fingerprint(id, (d) => this.#results.get(d)!.upstream!)
    } catch (err) {
      if (err instanceof UserError) {
        this.#userError ??= err
        return this.#failed(id, t0, undefined, 'user', err.diagnostic)
      }
      throw err
    }
    this.#fingerprints.set(id, { key: fp.key, watch: fp.watch })
    const decision = await o.planner.decide(id, fp)
    if (decision.status === 'fresh') return this.#fresh(id, fp, decision.state, t0)
    if (decision.status === 'restorable') {
      const restored = await this.#restore(id, fp, decision.record, decision.reason, t0)
      if (restored) return restored
    }
    return this.#run(id, fp, decision.reason, t0)
  }

  /** Its output is materialised under the current key: only (re)publish it. */
  #fresh(id: string, fp: Fingerprint, state: OutState, t0: number): Result {
    const published = publish(this.#o, id, state)
    return this.#finish(id, { outcome: 'fresh', upstream: upstreamOf(this.#o.layout, id, state) }, t0, {
      key: fp.key,
      published,
    })
  }

  /** The run cache has a record for the key: verify its objects and materialise them. */
  async #restore(
    id: string,
    fp: Fingerprint,
    record: ActionRecord,
    reason: string,
    t0: number,
  ): Promise<Result | undefined> {
    const o = this.#o
    const check = await o.store.verify(record)
    if (!check.ok) return undefined
    const state = await o.store.materialize(id, record)
    return this.#finish(id, { outcome: 'restored', upstream: upstreamOf(o.layout, id, state), reason }, t0, {
      key: fp.key,
      published: publish(o, id, state),
    })
  }

  /** Must run: resources, lock, then the executor (see the file comment). */
  async #run(id: string, fp: Fingerprint, reason: string, t0: number): Promise<Result> {
    const o = this.#o
    const executor = this.#executor(id)
    const { decl } = o.graph.get(id)
    const want = { cpu: decl.resources.cpu, gpu: decl.resources.gpu, memGB: decl.resources.memGB }
    let grant: Grant
    if (executor.remote) grant = { cpu: want.cpu, gpus: [], memGB: want.memGB }
    else {
      try {
        grant = await o.pool.acquire(want, this.#priority.get(id) ?? 0, o.signal)
      } catch {
        return this.#stopped(id, t0)
      }
    }
    this.#gotSlot(id)
    let held: HeldLock | undefined
    try {
      if (this.#stopping) return this.#stopped(id, t0)
      if (!executor.remote) {
        held = await lock(o.layout.lock(fp.key), o.signal, () =>
          o.emit({ event: 'waiting', id, key: fp.key, holder: 'lock' }),
        ).catch((err) => {
          if (o.signal.aborted) return undefined
          throw err // e.g. the cache folder cannot be written: not a reason to skip silently
        })
        if (!held) return this.#stopped(id, t0)
      }
      // Another process may have built this key while we waited for the lock.
      const built = o.store.readRecord(fp.key)
      if (built) {
        const restored = await this.#restore(id, fp, built, 'built by another coin process', t0)
        if (restored) return restored
      }
      return await this.#execute(id, fp, reason, t0, executor, grant)
    } finally {
      held?.release()
      if (!executor.remote) o.pool.release(grant)
    }
  }

  async #execute(
    id: string,
    fp: Fingerprint,
    reason: string,
    t0: number,
    executor: Executor,
    grant: Grant,
  ): Promise<Result> {
    const o = this.#o
    const { decl } = o.graph.get(id)
    o.emit({ event: 'start', id, key: fp.key, reason, resources: { cpu: grant.cpu, gpus: grant.gpus } })
    const action: Action = {
      format: 1,
      id,
      key: fp.key,
      keyData: fp.keyData,
      rule: decl.rule.name,
      params: decl.params,
      inputs: fp.inputs,
      staging: executor.newStaging(fp.key),
      scratch: prepareScratch(o.layout, id, fp.key),
      root: o.root,
      cache: o.layout.root,
      grant,
      env: decl.env,
      executor: executor.name,
      coinfile: o.coinfile ?? '',
      sets: [...(o.sets ?? [])],
    }
    const logLines: string[] = []
    const live = new LiveLog(o.layout.log(id))
    const startedAt = new Date()
    const handle = executor.submit(action, {
      log: (line) => {
        logLines.push(line)
        live.write(line)
        o.emit({ event: 'log', id, line })
      },
      progress: (p) => o.emit({ ...p, event: 'progress', id }),
    })
    this.#running.set(handle, executor)
    let result: ActionResult
    try {
      result = await executor.wait(handle)
    } finally {
      this.#running.delete(handle)
      live.close()
    }
    const logText = logLines.length ? `${logLines.join('\n')}\n` : ''
    if (o.signal.aborted || result.status === 'cancelled') {
      rmSync(action.staging, { recursive: true, force: true })
      const why = o.signal.aborted
        ? 'interrupted'
        : `cancelled${result.status === 'cancelled' && result.reason ? `: ${result.reason}` : ''}`
      return this.#failed(id, t0, fp.key, 'error', { message: why })
    }
    if (result.status === 'failed') {
      rmSync(action.staging, { recursive: true, force: true })
      return this.#failed(id, t0, fp.key, result.cause, result.diagnostic, result.logTail)
    }
    let state: OutState
    if (executor.remote) {
      // The worker committed (see `coin exec`); its record must be there and intact.
      const record = o.store.readRecord(fp.key)
      if (!record || !(await o.store.verify(record)).ok)
        return this.#failed(id, t0, fp.key, 'error', {
          message: `the ${executor.name} job reported success but left no intact record for key ${fp.key}`,
          fix: 'check that the cache directory is on a file system the compute nodes share',
        })
      state = await o.store.materialize(id, record)
    } else {
      try {
        const opts = { startedAt, executor: executor.name, logText }
        state = (await commitAndMaterializeAction(o.store, action, opts)).state
      } catch (err) {
        // A symbolic link (or a socket...) in the output: the store refuses it; the target fails.
        if (!(err instanceof OutputRejected)) throw err
        writeLastLog(o.layout.log(id), `${logText}${err.message}\n`)
        return this.#failed(id, t0, fp.key, 'error', { message: err.message, fix: err.fix })
      }
    }
    const published = publish(o, id, state)
    return this.#finish(id, { outcome: 'ran', upstream: upstreamOf(o.layout, id, state), reason }, t0, {
      key: fp.key,
      published,
    })
  }

  /** A failure with its diagnostic; a user error (bad input) also makes the build exit 2. */
  #failed(
    id: string,
    t0: number,
    key: string | undefined,
    cause: 'user' | 'error',
    diagnostic: Diagnostic,
    logTail?: string[],
  ): Result {
    if (cause === 'user') this.#userError ??= new UserError(diagnostic)
    const tail = logTail?.length ? `\n${logTail.map((l) => `    | ${l}`).join('\n')}` : ''
    return this.#finish(id, { outcome: 'failed', reason: `${diagnostic.message}${tail}` }, t0, {
      key,
      error: diagnostic.message,
      diagnostic: cause === 'user' ? diagnostic : undefined,
      logTail,
    })
  }
}

function upstreamOf(layout: CacheLayout, id: string, state: OutState): Upstream {
  return { outputDigest: state.outputDigest, outDir: layout.outDir(id) }
}

/** The last attempt's log (kept for failures too). Empty logs are not written: `coin log` says so. */
function writeLastLog(path: string, text: string): void {
  if (!text) {
    removeFile(path)
    return
  }
  try {
    inDir(dirname(path), () => writeFileSync(path, text))
  } catch (err) {
    // A convenience copy (the record keeps the log): on a full disk, drop it and carry on.
    removeFile(path)
    if (!isDiskFull(err)) throw err
  }
}

/**
 * Copies a target's outputs into the project (e.g. `results/`), which is not disposable: each file
 * is written to a temp name and renamed, so a crash never leaves a half-written report. Skipped
 * when the published copies still have the size and mtime we left them with.
 */
function publish(o: BuildOptions, id: string, state: OutState): string[] | undefined {
  const dest = o.graph.get(id).decl.publish
  if (!dest) return undefined
  const destDir = publishDir(o.root, dest, id)
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
    try {
      copyFileSync(join(o.layout.outDir(id), f.path), tmp)
      // Published copies are the user's files, not links into the cache: make them writable.
      chmodSync(tmp, 0o644)
      renameSync(tmp, target)
    } catch (err) {
      rmSync(tmp, { force: true })
      throw err
    }
    const st = statSync(target)
    return { path: f.path, size: st.size, mtimeMs: st.mtimeMs }
  })
  o.store.writeOutState(id, { ...state, published: { dir: dest, files } })
  return paths
}
