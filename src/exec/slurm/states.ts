/**
 * A Slurm job's state, as coin sees it: Slurm's many states (squeue's %T) folded into the few
 * that decide what coin does next.
 *
 *   pending ─▶ running ─▶ completed                     (the worker's result says ok or failed)
 *      │          ├──────▶ failed | timeout | cancelled  (retried per `retries`)
 *      └──────────┴──────▶ node-fail | preempted | lost  (resubmitted per `requeue`)
 */
export type JobState =
  | 'pending'
  | 'running'
  | 'completed'
  | 'failed'
  | 'cancelled'
  | 'timeout'
  | 'node-fail'
  | 'preempted'
  /** Neither squeue nor the worker's events know the job (purged, or the controller lost it). */
  | 'lost'

const PENDING = new Set([
  'PENDING',
  'CONFIGURING',
  'REQUEUED',
  'REQUEUE_HOLD',
  'REQUEUE_FED',
  'RESV_DEL_HOLD',
])
const RUNNING = new Set([
  'RUNNING',
  'COMPLETING',
  'SUSPENDED',
  'STOPPED',
  'SIGNALING',
  'STAGE_OUT',
  'RESIZING',
])
const FINAL: Record<string, JobState> = {
  COMPLETED: 'completed',
  CANCELLED: 'cancelled',
  TIMEOUT: 'timeout',
  DEADLINE: 'timeout',
  NODE_FAIL: 'node-fail',
  BOOT_FAIL: 'node-fail',
  PREEMPTED: 'preempted',
}

export function foldState(slurm: string): JobState {
  if (PENDING.has(slurm)) return 'pending'
  if (RUNNING.has(slurm)) return 'running'
  // FAILED, OUT_OF_MEMORY, SPECIAL_EXIT and anything newer are failures.
  return FINAL[slurm] ?? 'failed'
}

export const isFinal = (s: JobState) => s !== 'pending' && s !== 'running'
