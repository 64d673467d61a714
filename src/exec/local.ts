/**
 * The local executor: runs an action's rule in this process (see run-action.ts); the build
 * commits its outputs.
 */
import type { Store } from '../cache/store.ts'
import type { Action, ActionHooks, ActionResult } from './action.ts'
import type { Executor, JobHandle } from './executor.ts'
import type { RuleRegistry } from './rules.ts'
import { runAction } from './run-action.ts'

/** How long a cancelled job may take to stop before the build stops waiting for it. */
export const CANCEL_GRACE_MS = 3000

interface LocalHandle extends JobHandle {
  controller: AbortController
  done: Promise<ActionResult>
}

export class LocalExecutor implements Executor {
  readonly name = 'local'
  readonly remote = false

  constructor(
    readonly rules: RuleRegistry,
    readonly store: Store,
  ) {}

  newStaging(): string {
    return this.store.newStaging()
  }

  submit(action: Action, hooks: ActionHooks): JobHandle {
    const controller = new AbortController()
    const work = runAction(action, this.rules, hooks, controller.signal)
    // On cancel, give the job a short grace period to settle  (a shell rule's child is killed
    // asynchronously by the shell server), then stop waiting: an in-process function that ignores the signal
    // cannot be killed, but its staging directory is discarded and the CLI exits, which ends it.
    const cancelled = new Promise<ActionResult>((resolve) =>
      controller.signal.addEventListener('abort', () => {
        const timer = setTimeout(() => resolve({ status: 'cancelled' }), CANCEL_GRACE_MS)
        work.finally(() => {
          clearTimeout(timer)
          resolve({ status: 'cancelled' })
        })
      }),
    )
    const done = Promise.race([work, cancelled])
    return { action, controller, done } as LocalHandle
  }

  wait(handle: JobHandle): Promise<ActionResult> {
    return (handle as LocalHandle).done
  }

  cancel(handle: JobHandle): void {
    ;(handle as LocalHandle).controller.abort(new Error('cancelled'))
  }
}
