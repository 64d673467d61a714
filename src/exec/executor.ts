/**
 * The executor interface: asynchronous submit / wait / cancel over serialisable actions, so a
 * remote executor (Slurm) fits without changing the scheduler.
 */
import type { Action, ActionHooks, ActionResult } from './action.ts'

export interface JobHandle {
  readonly action: Action
}

export interface Executor {
  readonly name: string
  /**
   * A remote executor schedules its own resources (the local CPU/GPU pool does not apply), and its
   * worker takes the key's lock and commits the record itself; the build then only restores it.
   */
  readonly remote: boolean
  /** A fresh staging directory for `key` that this executor's workers can write to. */
  newStaging(key: string): string
  submit(action: Action, hooks: ActionHooks): JobHandle
  wait(handle: JobHandle): Promise<ActionResult>
  cancel(handle: JobHandle): void
}
