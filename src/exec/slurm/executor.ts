/**
 * The Slurm executor. Each action is written to the shared cache (job-files.ts) and run there by
 * `coin exec`, which locks the key and commits the record itself; this side only submits, watches
 * and cancels:
 * - Submission: actions that become ready together (within `batchMs`) and ask for the same sbatch
 *   flags go out as one job array (one sbatch call), e.g. a stage's predictions.
 * - Status: one `squeue` per poll for every job of this cache (they share a job name), whatever
 *   their number; a job squeue no longer lists is judged by its worker's result event.
 * - Failures carry the worker's diagnostic and the tail of the job's output; they are resubmitted
 *   per policy (settings.ts: `retries`, `requeue`), a rule's UserError never.
 * - Cancel: one `scancel` for every job (Ctrl-C).
 * - Restart: a job's claim (job.json) outlives a killed coin; the next coin that needs the key
 *   adopts the job instead of submitting it again.
 * - Equal keys: targets with the same key (equal work under two ids) share one job; the others
 *   wait for its result and restore its record, as a local build does.
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { readJson, writeJsonAtomic } from '../../cache/atomic.ts'
import type { Diagnostic } from '../../errors.ts'
import { packageRoot } from '../../package-root.ts'
import type { Action, ActionHooks, ActionResult } from '../action.ts'
import type { Executor, JobHandle } from '../executor.ts'
import { eventsPathOf, readEventsSince } from '../worker-events.ts'
import { SlurmCommands } from './commands.ts'
import { type JobClaim, JobFiles } from './job-files.ts'
import { type SlurmSettings, sbatchFlags } from './settings.ts'
import { foldState, isFinal, type JobState } from './states.ts'

/** How long Ctrl-C waits for cancelled jobs to leave squeue. */
const CANCEL_WAIT_MS = 20_000
/** Batch files younger than this are never swept (a concurrent coin may be submitting them). */
const SWEEP_AGE_MS = 60_000

const COIN_BIN = join(packageRoot, 'bin', 'coin.js')

export interface SlurmOptions {
  cacheRoot: string
  /** The project root: jobs run there (`--chdir`). */
  root: string
  /** The settings of a target (Coinfile < command line < target, already merged) and its resources. */
  jobFor(action: Action): { settings: SlurmSettings; resources: { cpu: number; gpu: number; memGB: number } }
  /** Where the store keeps the record of a key (a job whose key has one is done). */
  recordPath(key: string): string
  pollMs?: number
  batchMs?: number
  /** How compute nodes start coin; default: this node binary and this coin (a shared install). */
  worker?: string[]
  commands?: SlurmCommands
}

/** One sbatch call's script and list; removed when its last task is settled. */
interface Batch {
  files: string[]
  remaining: number
}

interface Tracked extends JobHandle {
  action: Action
  batch?: Batch
  /** The action list of an adopted job's array (submitted by another coin). */
  adoptedBatch?: string
  hooks: ActionHooks
  settings: SlurmSettings
  flags: string[]
  jobId?: string
  output?: string
  state: JobState | 'queued'
  attempt: number
  retried: number
  requeued: number
  offset: number
  result?: ActionResult
  missingPolls: number
  cancelRequested: boolean
  submittedAt: number
  /** ms from submission to the worker's first event (the benchmark's ready → running). */
  startLatencyMs?: number
  resolve(r: ActionResult): void
  done: Promise<ActionResult>
}

/** A target whose key a tracked job already has: it waits for that job instead of submitting. */
interface Follower extends JobHandle {
  follows: Tracked
  resolve(r: ActionResult): void
  done: Promise<ActionResult>
}

export class SlurmExecutor implements Executor {
  readonly name = 'slurm'
  readonly remote = true
  readonly files: JobFiles
  readonly commands: SlurmCommands
  readonly jobName: string
  /** Polls made (each is one squeue call): the benchmark divides calls by polls. */
  polls = 0
  /** Start latencies of finished jobs, for the benchmark. */
  readonly startLatencies: number[] = []
  readonly #o: SlurmOptions
  readonly #queue: Tracked[] = []
  readonly #tracked = new Set<Tracked>()
  /** The job of each key being built (queued, submitted or being resubmitted), until it settles. */
  readonly #byKey = new Map<string, Tracked>()
  #flushTimer: NodeJS.Timeout | undefined
  #polling = false
  #toCancel: Tracked[] = []

  constructor(o: SlurmOptions) {
    this.#o = o
    this.files = new JobFiles(o.cacheRoot)
    this.commands = o.commands ?? new SlurmCommands()
    this.jobName = jobNameFor(o.cacheRoot)
    this.#sweep()
  }

  /**
   * Removes what finished jobs left when no coin was watching them (their submitter was killed
   * and the next build found the record): job folders whose key has a record, and batch files
   * (scripts, lists, outputs) that no live claim refers to. Recent files are kept, as a
   * concurrent coin may be between writing them and submitting.
   */
  #sweep(): void {
    const root = this.files.root
    if (!existsSync(root)) return
    const live = new Set<string>()
    for (const key of readdirSync(root)) {
      if (key === 'batches') continue
      const claim = readJson<JobClaim>(this.files.claim(key))
      if (existsSync(this.#o.recordPath(key))) rmSync(this.files.dir(key), { recursive: true, force: true })
      else if (claim) live.add(claim.jobId.split('_')[0]!).add(claim.output)
    }
    if (!existsSync(this.files.batches)) return
    const old = Date.now() - SWEEP_AGE_MS
    for (const name of readdirSync(this.files.batches)) {
      const path = join(this.files.batches, name)
      if (statSync(path).mtimeMs > old) continue
      const referenced = name.endsWith('.list')
        ? readFileSync(path, 'utf8')
            .split('\n')
            .some((a) => a && existsSync(a))
        : name.endsWith('.sh')
          ? existsSync(path.replace(/\.sh$/, '.list'))
          : live.has(path) || live.has(name.split('_')[0]!)
      if (!referenced) rmSync(path, { force: true })
    }
  }

  newStaging(key: string): string {
    const dir = join(
      this.files.dir(key),
      `staging-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`,
    )
    mkdirSync(join(dir, 'out'), { recursive: true })
    return dir
  }

  submit(action: Action, hooks: ActionHooks): JobHandle {
    const leader = this.#byKey.get(action.key)
    if (leader && !leader.cancelRequested) return this.#follow(leader, action, hooks)
    const { settings, resources } = this.#o.jobFor(action)
    let settle!: (r: ActionResult) => void
    const done = new Promise<ActionResult>((r) => {
      settle = r
    })
    const resolve = (r: ActionResult) => {
      if (this.#byKey.get(action.key) === t) this.#byKey.delete(action.key)
      settle(r)
    }
    const t: Tracked = {
      action,
      hooks,
      settings,
      flags: sbatchFlags(settings, resources),
      state: 'queued',
      attempt: 0,
      retried: 0,
      requeued: 0,
      offset: 0,
      missingPolls: 0,
      cancelRequested: false,
      submittedAt: Date.now(),
      resolve,
      done,
    }
    this.#byKey.set(action.key, t)
    this.#queue.push(t)
    this.#scheduleFlush()
    return t
  }

  /** Waits for `leader`, the job of the same key, instead of submitting a second one. */
  #follow(leader: Tracked, action: Action, hooks: ActionHooks): Follower {
    rmSync(action.staging, { recursive: true, force: true })
    hooks.log(`same key as ${leader.action.id}: waiting for its Slurm job instead of submitting another`)
    let resolve!: (r: ActionResult) => void
    const done = new Promise<ActionResult>((r) => {
      resolve = r
    })
    void leader.done.then(resolve)
    return { action, follows: leader, resolve, done }
  }

  wait(handle: JobHandle): Promise<ActionResult> {
    return (handle as Tracked | Follower).done
  }

  cancel(handle: JobHandle): void {
    // A follower stops waiting; the job it followed belongs to its leader.
    if ('follows' in handle) {
      ;(handle as Follower).resolve({ status: 'cancelled' })
      return
    }
    const t = handle as Tracked
    if (t.cancelRequested) return
    t.cancelRequested = true
    const queued = this.#queue.indexOf(t)
    if (queued >= 0) {
      this.#queue.splice(queued, 1)
      this.#cleanup(t)
      t.resolve({ status: 'cancelled' })
      return
    }
    if (!t.jobId) return // being submitted: cancelled as soon as sbatch returns its id
    this.#toCancel.push(t)
    if (this.#toCancel.length === 1) setImmediate(() => void this.#flushCancels())
  }

  /** One scancel for every job cancelled in this turn (Ctrl-C cancels them all at once). */
  async #flushCancels(): Promise<void> {
    const batch = this.#toCancel.splice(0)
    const ids = batch.map((t) => t.jobId!)
    await this.commands.scancel(ids)
    // Return only once Slurm has let go of them (COMPLETING until their processes are gone), so a
    // coin that exits after Ctrl-C leaves nothing behind in squeue.
    const t0 = Date.now()
    while (Date.now() - t0 < CANCEL_WAIT_MS) {
      const jobs = await this.commands.squeue(this.jobName).catch(() => undefined)
      if (
        jobs &&
        !ids.some((id) => {
          const q = jobs.get(id)
          return q !== undefined && !isFinal(foldState(q.state))
        })
      )
        break
      await new Promise((r) => setTimeout(r, 200))
    }
    for (const t of batch) {
      this.#tracked.delete(t)
      this.#cleanup(t)
      t.resolve({ status: 'cancelled' })
    }
  }

  #scheduleFlush(): void {
    if (this.#flushTimer) return
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = undefined
      void this.#flush()
    }, this.#o.batchMs ?? 100)
  }

  /** Adopts what a previous coin submitted, then submits the rest, one array per set of flags. */
  async #flush(): Promise<void> {
    const batch = this.#queue.splice(0)
    const groups = new Map<string, Tracked[]>()
    for (const t of batch) {
      if (this.#adopt(t)) continue
      mkdirSync(this.files.dir(t.action.key), { recursive: true })
      writeJsonAtomic(this.files.action(t.action.key), t.action)
      const sig = JSON.stringify(t.flags)
      groups.set(sig, [...(groups.get(sig) ?? []), t])
    }
    await Promise.all([...groups.values()].map((g) => this.#submitArray(g)))
    this.#startPolling()
  }

  /** A claim left by an earlier coin (killed, or running concurrently): watch that job instead. */
  #adopt(t: Tracked): boolean {
    const claim = readJson<JobClaim>(this.files.claim(t.action.key))
    const previous = readJson<Action>(this.files.action(t.action.key))
    if (!claim?.jobId || !previous || previous.key !== t.action.key) return false
    rmSync(t.action.staging, { recursive: true, force: true })
    t.action = { ...t.action, staging: previous.staging }
    t.jobId = claim.jobId
    t.output = claim.output
    t.adoptedBatch = claim.batch
    t.attempt = claim.attempt
    t.submittedAt = claim.submittedAt
    t.state = 'pending'
    t.hooks.log(`adopted Slurm job ${claim.jobId} (submitted by pid ${claim.pid} on ${claim.host})`)
    this.#tracked.add(t)
    return true
  }

  async #submitArray(group: Tracked[]): Promise<void> {
    const { batches } = this.files
    mkdirSync(batches, { recursive: true })
    const tag = `${Date.now().toString(36)}-${process.pid}-${Math.random().toString(36).slice(2, 6)}`
    const list = join(batches, `${tag}.list`)
    const script = join(batches, `${tag}.sh`)
    writeFileSync(list, `${group.map((t) => this.files.action(t.action.key)).join('\n')}\n`)
    const worker = (this.#o.worker ?? [process.execPath, COIN_BIN]).map(shellQuote).join(' ')
    writeFileSync(
      script,
      [
        '#!/bin/bash',
        `# coin: one action per array task, listed in ${list}`,
        `action=$(sed -n "$((SLURM_ARRAY_TASK_ID + 1))p" ${shellQuote(list)})`,
        `exec ${worker} exec "$action"`,
        '',
      ].join('\n'),
      { mode: 0o755 },
    )
    const flags = [
      ...group[0]!.flags,
      `--job-name=${this.jobName}`,
      `--chdir=${this.#o.root}`,
      `--output=${join(batches, '%A_%a.out')}`,
    ]
    let arrayId: string
    try {
      arrayId = await this.commands.sbatchArray(script, group.length, flags, this.#o.root, () =>
        group.every((t) => t.cancelRequested),
      )
    } catch (err) {
      for (const t of group) {
        this.#cleanup(t)
        if (t.cancelRequested) {
          t.resolve({ status: 'cancelled' })
          continue
        }
        t.resolve({
          status: 'failed',
          cause: 'error',
          diagnostic: {
            message: (err as Error).message,
            key: 'slurm',
            fix: 'check the Slurm settings (slurm: {...} in the Coinfile, --slurm-* options) and that sbatch works here',
          },
        })
      }
      return
    }
    const b: Batch = { files: [list, script], remaining: group.length }
    group.forEach((t, i) => {
      t.batch = b
      t.jobId = `${arrayId}_${i}`
      t.output = join(batches, `${arrayId}_${i}.out`)
      t.state = 'pending'
      t.submittedAt = Date.now()
      t.attempt++
      const claim: JobClaim = {
        jobId: t.jobId,
        attempt: t.attempt,
        output: t.output,
        batch: list,
        submittedAt: t.submittedAt,
        host: hostname(),
        pid: process.pid,
      }
      writeJsonAtomic(this.files.claim(t.action.key), claim)
      t.hooks.progress({ message: `Slurm job ${t.jobId} submitted` })
      this.#tracked.add(t)
      if (t.cancelRequested) {
        t.cancelRequested = false
        this.cancel(t)
      }
    })
  }

  #startPolling(): void {
    if (this.#polling) return
    this.#polling = true
    void (async () => {
      try {
        while (this.#tracked.size > 0) {
          await new Promise((r) => setTimeout(r, this.#o.pollMs ?? 1000))
          await this.#pollOnce()
        }
      } finally {
        this.#polling = false
      }
    })()
  }

  /** One squeue for all jobs; then each job's events file, and the decisions that follow. */
  async #pollOnce(): Promise<void> {
    let jobs: Awaited<ReturnType<SlurmCommands['squeue']>>
    try {
      jobs = await this.commands.squeue(this.jobName)
    } catch {
      return // the controller is restarting or unreachable: nothing is decided until it answers
    }
    this.polls++
    for (const t of [...this.#tracked]) {
      if (!t.jobId || t.cancelRequested) continue
      this.#readEvents(t)
      const q = jobs.get(t.jobId)
      let state: JobState
      if (t.result?.status === 'ok') state = 'completed'
      else if (q) {
        state = foldState(q.state)
        t.missingPolls = 0
      } else if (t.result) state = t.result.status === 'cancelled' ? 'cancelled' : 'failed'
      else state = ++t.missingPolls >= 3 ? 'lost' : t.state === 'queued' ? 'pending' : t.state
      if (state !== t.state) {
        t.state = state
        t.hooks.progress({
          message: `Slurm job ${t.jobId} ${state}${q?.reason && q.reason !== 'None' ? ` (${q.reason})` : ''}`,
        })
      }
      if (isFinal(state)) this.#settle(t, state, q?.reason)
    }
  }

  #readEvents(t: Tracked): void {
    const { events, offset } = readEventsSince(eventsPathOf(this.files.action(t.action.key)), t.offset)
    t.offset = offset
    for (const e of events) {
      if (e.event === 'log') t.hooks.log(e.line)
      else if (e.event === 'progress') t.hooks.progress(e.progress)
      else if (e.event === 'started') t.startLatencyMs ??= Math.max(0, e.at - t.submittedAt)
      else if (e.event === 'result') t.result = e.result
    }
  }

  #settle(t: Tracked, state: JobState, reason: string | undefined): void {
    this.#tracked.delete(t)
    if (t.startLatencyMs !== undefined) this.startLatencies.push(t.startLatencyMs)
    // A record means the work is done, whoever did it (another coin watching the same adopted
    // job may have cleaned its events file first); the build verifies it before use.
    if (
      (state === 'completed' && t.result?.status === 'ok') ||
      existsSync(this.#o.recordPath(t.action.key))
    ) {
      this.#cleanup(t)
      t.resolve({ status: 'ok' })
      return
    }
    const logTail = tail(t.output)
    const worker = t.result?.status === 'failed' ? t.result : undefined
    const cause = worker?.cause ?? 'error'
    const what = describe(t.jobId!, state, reason, t.settings)
    const diagnostic: Diagnostic = worker
      ? { ...worker.diagnostic, message: `${worker.diagnostic.message} (${what})` }
      : { message: what }
    const infra = state === 'node-fail' || state === 'preempted' || state === 'lost'
    const budget = infra ? (t.settings.requeue ?? 2) - t.requeued : (t.settings.retries ?? 0) - t.retried
    if (cause !== 'user' && budget > 0) {
      if (infra) t.requeued++
      else t.retried++
      t.hooks.log(`${what}; resubmitting (${infra ? 'requeue' : 'retry'} policy)`)
      for (const line of logTail) t.hooks.log(`  | ${line}`)
      this.#cleanup(t, { keepDir: true })
      t.action = { ...t.action, staging: this.newStaging(t.action.key) }
      Object.assign(t, { jobId: undefined, result: undefined, offset: 0, missingPolls: 0, state: 'queued' })
      this.#queue.push(t)
      this.#scheduleFlush()
      return
    }
    this.#cleanup(t)
    t.resolve({ status: 'failed', cause, diagnostic, logTail })
  }

  /** Removes a finished job's files (its staging, claim, events, output); nothing is half-kept. */
  #cleanup(t: Tracked, o: { keepDir?: boolean } = {}): void {
    rmSync(t.action.staging, { recursive: true, force: true })
    if (t.batch && --t.batch.remaining === 0) for (const f of t.batch.files) rmSync(f, { force: true })
    t.batch = undefined
    if (t.output) rmSync(t.output, { force: true })
    const dir = this.files.dir(t.action.key)
    if (o.keepDir) {
      rmSync(this.files.claim(t.action.key), { force: true })
      rmSync(eventsPathOf(this.files.action(t.action.key)), { force: true })
    } else rmSync(dir, { recursive: true, force: true })
    // An adopted array's files go when none of its actions is left (whoever settles the last).
    const list = t.adoptedBatch
    t.adoptedBatch = undefined
    if (
      list &&
      existsSync(list) &&
      !readFileSync(list, 'utf8')
        .split('\n')
        .some((a) => a && existsSync(a))
    )
      for (const f of [list, list.replace(/\.list$/, '.sh')]) rmSync(f, { force: true })
  }
}

/** Every job of one cache shares this name, so one `squeue --name` sees them all (and only them). */
export function jobNameFor(cacheRoot: string): string {
  return `coin-${createHash('sha1').update(cacheRoot).digest('hex').slice(0, 10)}`
}

function describe(jobId: string, state: JobState, reason: string | undefined, s: SlurmSettings): string {
  const why = reason && reason !== 'None' ? `, ${reason}` : ''
  switch (state) {
    case 'cancelled':
      return `Slurm job ${jobId} was cancelled outside coin (scancel or an administrator${why})`
    case 'timeout':
      return `Slurm job ${jobId} hit its time limit${s.time ? ` (--time=${s.time})` : ''}`
    case 'node-fail':
      return `Slurm job ${jobId} failed with its node${why}`
    case 'preempted':
      return `Slurm job ${jobId} was preempted`
    case 'lost':
      return `Slurm job ${jobId} is gone: squeue no longer lists it and its worker wrote no result`
    case 'completed':
      return `Slurm job ${jobId} completed but its worker wrote no result`
    default:
      return `Slurm job ${jobId} failed${why}`
  }
}

/** The last lines of a job's output file (its log tail in failure messages). */
function tail(path: string | undefined, n = 15): string[] {
  if (!path || !existsSync(path)) return []
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
  return lines.slice(-n)
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`
}
