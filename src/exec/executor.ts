/**
 * The executor interface: asynchronous submit / wait / cancel, so a remote executor (Slurm) fits
 * without changing the scheduler. A job is a target's work: (staged inputs, params) → output dir.
 */
import type { RunContext, TargetDecl } from '../config/define.ts'
import type { Grant } from './resources.ts'

export interface Job {
  id: string
  key: string
  decl: TargetDecl
  inputs: Record<string, string | string[]>
  /** The staging directory; the rule writes into `<staging>/out`. */
  staging: string
  root: string
  grant: Grant
  log(line: string): void
  progress: RunContext['progress']
}

export type JobResult = { ok: true } | { ok: false; error: string }

export interface JobHandle {
  readonly job: Job
}

export interface Executor {
  readonly name: string
  submit(job: Job): JobHandle
  wait(handle: JobHandle): Promise<JobResult>
  cancel(handle: JobHandle): void
}
