/**
 * Where a Slurm action's files live on the shared cache (`cache/jobs/`):
 *   jobs/<key>/action.json          the action (what `coin exec` runs)
 *   jobs/<key>/action.events.jsonl  the worker's events (log lines, progress, result)
 *   jobs/<key>/job.json             the claim: which Slurm job runs it (a restarted coin adopts it)
 *   jobs/<key>/staging-<n>/         the worker's staging directory (outside staging/, whose
 *                                   sweep would delete it when the submitting coin dies)
 *   jobs/batches/<job>.sh|.list     one array's script and its action list
 *   jobs/batches/<job>_<task>.out   the job's stdout/stderr (its log tail on failure)
 */
import { join } from 'node:path'

export interface JobClaim {
  jobId: string
  attempt: number
  output: string
  /** The array's action list (its script is beside it): removed with the array's last job. */
  batch: string
  submittedAt: number
  /** Which coin process submitted it (informational: any later coin may adopt it). */
  host: string
  pid: number
}

export class JobFiles {
  constructor(readonly cacheRoot: string) {}
  get root() {
    return join(this.cacheRoot, 'jobs')
  }
  dir(key: string) {
    return join(this.root, key)
  }
  action(key: string) {
    return join(this.dir(key), 'action.json')
  }
  claim(key: string) {
    return join(this.dir(key), 'job.json')
  }
  get batches() {
    return join(this.root, 'batches')
  }
}
