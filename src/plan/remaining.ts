/**
 * How long the rest of a build will take, from the graph rather than from throughput: every
 * unfinished target gets an estimated duration, and the estimate is the larger of two lower bounds
 * on any schedule, the longest remaining dependency chain (the critical path) and the remaining
 * work spread over the pool's slots. Fed with the build's own events; pure data, no screen.
 *
 * A target's duration is, in this order: its own previous run (the run-cache record of the output
 * in place), the mean of this build's finished runs of the same rule, the mean of the previous
 * runs of the same rule's other targets, the mean of all of this build's finished runs, the mean
 * of all previous runs. A running target has what is left of that (or, once it reports
 * step/total, its own rate extrapolated). Targets not decided yet are assumed to run: one that
 * turns out fresh drops out at once.
 */
import type { BuildEvent } from '../events.ts'
import type { Graph } from '../graph/graph.ts'

export interface RemainingOptions {
  graph: Graph
  /** The build's targets, dependencies first. */
  ids: readonly string[]
  /** A target's last recorded run time in ms, if known (read lazily, once per target). */
  previous(id: string): number | undefined
  /** CPU slots and GPU ids of the local pool. */
  cpu: number
  gpus: number
  /** Targets whose parallelism is a cluster's (Slurm): they count on the critical path only. */
  remote?(id: string): boolean
}

export interface RemainingEstimate {
  /** Estimated time until the build ends: max(criticalPathMs, workMs). */
  ms: number
  /** The longest chain of unfinished targets, by estimated remaining duration. */
  criticalPathMs: number
  /** Remaining work over the pool: max of CPU-slot and GPU time over their counts. */
  workMs: number
}

interface Run {
  start: number
  first?: { t: number; step: number }
  last?: { t: number; step: number; total?: number }
}

/** A running mean. */
class Mean {
  sum = 0
  n = 0
  add(x: number): void {
    this.sum += x
    this.n++
  }
  get value(): number | undefined {
    return this.n ? this.sum / this.n : undefined
  }
}

/**
 * How often the estimate is recomputed (it walks every unfinished target: ~50 ms at 10,000);
 * in between, the last one counts down with the clock.
 */
const RECOMPUTE_MS = 1000

export class RemainingWork {
  readonly #o: RemainingOptions
  readonly #done = new Set<string>()
  readonly #running = new Map<string, Run>()
  /** Durations of this build's finished runs, per rule and overall. */
  readonly #ranByRule = new Map<string, Mean>()
  readonly #ran = new Mean()
  readonly #previous = new Map<string, number | undefined>()
  #last: { at: number; estimate: RemainingEstimate | undefined } | undefined

  constructor(o: RemainingOptions) {
    this.#o = o
  }

  /** Every build event passes here (cheap: the estimate is computed when asked for). */
  observe(e: BuildEvent, now: number): void {
    if (e.event === 'start') this.#running.set(e.id, { start: now })
    else if (e.event === 'progress') {
      const r = this.#running.get(e.id)
      if (r && typeof e.step === 'number') {
        r.first ??= { t: now, step: e.step }
        r.last = { t: now, step: e.step, total: typeof e.total === 'number' ? e.total : r.last?.total }
      }
    } else if (e.event === 'target') {
      const r = this.#running.get(e.id)
      this.#running.delete(e.id)
      this.#done.add(e.id)
      if (r && e.outcome === 'ran') {
        const ms = now - r.start
        const rule = this.#rule(e.id)
        const m = this.#ranByRule.get(rule) ?? new Mean()
        this.#ranByRule.set(rule, m)
        m.add(ms)
        this.#ran.add(ms)
      }
    }
  }

  #rule(id: string): string {
    return this.#o.graph.get(id).decl.rule.name
  }

  #previousOf(id: string): number | undefined {
    if (!this.#previous.has(id)) this.#previous.set(id, this.#o.previous(id))
    return this.#previous.get(id)
  }

  /**
   * The estimate at `now`; undefined while nothing is known of any target's duration. Recomputed
   * at most every RECOMPUTE_MS (a live view asks on every event and redraw).
   */
  estimate(now: number): RemainingEstimate | undefined {
    const last = this.#last
    if (last && now >= last.at && now - last.at < RECOMPUTE_MS) {
      const e = last.estimate
      const gone = now - last.at
      return (
        e && {
          ms: Math.max(0, e.ms - gone),
          criticalPathMs: Math.max(0, e.criticalPathMs - gone),
          workMs: Math.max(0, e.workMs - gone),
        }
      )
    }
    const estimate = this.#compute(now)
    this.#last = { at: now, estimate }
    return estimate
  }

  #compute(now: number): RemainingEstimate | undefined {
    const o = this.#o
    const left = o.ids.filter((id) => !this.#done.has(id))
    if (!left.length) return { ms: 0, criticalPathMs: 0, workMs: 0 }
    // Previous runs of the unfinished targets, by rule and overall, for the fallbacks.
    const previousByRule = new Map<string, Mean>()
    const previousAll = new Mean()
    for (const id of left) {
      const p = this.#previousOf(id)
      if (p === undefined) continue
      const rule = this.#rule(id)
      const m = previousByRule.get(rule) ?? new Mean()
      previousByRule.set(rule, m)
      m.add(p)
      previousAll.add(p)
    }
    const duration = (id: string): number | undefined => {
      const rule = this.#rule(id)
      return (
        this.#previousOf(id) ??
        this.#ranByRule.get(rule)?.value ??
        previousByRule.get(rule)?.value ??
        this.#ran.value ??
        previousAll.value
      )
    }
    const cost = new Map<string, number>()
    for (const id of left) {
      const r = this.#running.get(id)
      const d = duration(id)
      const byRate = r ? stepRemaining(r, now) : undefined
      if (byRate !== undefined) cost.set(id, byRate)
      else if (d === undefined) return undefined
      else cost.set(id, r ? Math.max(0, d - (now - r.start)) : d)
    }
    let criticalPathMs = 0
    for (const v of o.graph.criticalPath(left, (id) => cost.get(id)!).values())
      criticalPathMs = Math.max(criticalPathMs, v)
    let cpuWork = 0
    let gpuWork = 0
    for (const id of left) {
      if (o.remote?.(id)) continue
      const r = o.graph.get(id).decl.resources
      const ms = cost.get(id)!
      cpuWork += ms * Math.min(Math.max(r.cpu, 1), o.cpu)
      gpuWork += ms * r.gpu
    }
    const workMs = Math.max(cpuWork / Math.max(1, o.cpu), o.gpus ? gpuWork / o.gpus : 0)
    return { ms: Math.round(Math.max(criticalPathMs, workMs)), criticalPathMs, workMs }
  }
}

/** A target reporting step/total: its rate since its first step, to the last step, less the time since. */
function stepRemaining(r: Run, now: number): number | undefined {
  const { first, last } = r
  if (!first || !last?.total || last.step <= first.step || last.t <= first.t) return undefined
  const perStep = (last.t - first.t) / (last.step - first.step)
  return Math.max(0, perStep * Math.max(0, last.total - last.step) - (now - last.t))
}
