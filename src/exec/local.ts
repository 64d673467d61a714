/**
 * The local executor: runs a rule's function in this process. Shell rules spawn their commands
 * through zx from inside that function, with the job's environment (CUDA_VISIBLE_DEVICES) and
 * abort signal, so cancelling a job kills its child processes.
 */
import { join } from 'node:path'
import type { RunContext } from '../config/define.ts'
import type { Executor, Job, JobHandle, JobResult } from './executor.ts'

/** How long a cancelled job may take to stop before the build stops waiting for it. */
export const CANCEL_GRACE_MS = 3000

interface LocalHandle extends JobHandle {
  controller: AbortController
  done: Promise<JobResult>
}

export class LocalExecutor implements Executor {
  readonly name = 'local'

  submit(job: Job): JobHandle {
    const controller = new AbortController()
    const env: Record<string, string> = {
      CUDA_VISIBLE_DEVICES: job.grant.gpus.join(','),
      COIN_TARGET: job.id,
      OMP_NUM_THREADS: String(job.grant.cpu),
      ...job.decl.env,
    }
    const ctx: RunContext = {
      id: job.id,
      key: job.key,
      params: job.decl.params,
      inputs: job.inputs,
      out: join(job.staging, 'out'),
      root: job.root,
      log: job.log,
      progress: job.progress,
      signal: controller.signal,
      resources: { cpu: job.grant.cpu, gpus: job.grant.gpus, memGB: job.grant.memGB },
      env,
    }
    const work = (async (): Promise<JobResult> => {
      try {
        await job.decl.rule.run(ctx)
        if (controller.signal.aborted) return { ok: false, error: 'cancelled' }
        return { ok: true }
      } catch (err) {
        const e = err as Error
        return { ok: false, error: e?.message ?? String(err) }
      }
    })()
    // On cancel, give the job a short grace period to settle (a shell rule's child is killed
    // asynchronously by zx), then stop waiting: an in-process function that ignores the signal
    // cannot be killed, but its staging directory is discarded and the CLI exits, which ends it.
    const cancelled = new Promise<JobResult>((resolve) =>
      controller.signal.addEventListener('abort', () => {
        const timer = setTimeout(() => resolve({ ok: false, error: 'cancelled' }), CANCEL_GRACE_MS)
        work.finally(() => {
          clearTimeout(timer)
          resolve({ ok: false, error: 'cancelled' })
        })
      }),
    )
    const done = Promise.race([work, cancelled])
    return { job, controller, done } as LocalHandle
  }

  wait(handle: JobHandle): Promise<JobResult> {
    return (handle as LocalHandle).done
  }

  cancel(handle: JobHandle): void {
    ;(handle as LocalHandle).controller.abort(new Error('cancelled'))
  }
}
