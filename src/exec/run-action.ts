/**
 * Runs one action's rule in this process: the body shared by the local executor and the
 * `coin exec` worker.  Shell rules run their commands (exec/shell-server.ts) from inside the rule, with the
 * action's environment (CUDA_VISIBLE_DEVICES) and abort signal, so aborting kills the children.
 */

import { join } from 'node:path'
import { CacheLayout } from '../cache/layout.ts'
import { ensureScratch } from '../cache/scratch.ts'
import type { RunContext } from '../config/define.ts'
import { type Action, type ActionHooks, type ActionResult, asDiagnostic } from './action.ts'
import type { RuleRegistry } from './rules.ts'

export async function runAction(
  action: Action,
  rules: RuleRegistry,
  hooks: ActionHooks,
  signal: AbortSignal,
): Promise<ActionResult> {
  const rule = rules.get(action.rule)
  if (!rule)
    return {
      status: 'failed',
      cause: 'error',
      diagnostic: {
        message: `internal error: no rule named "${action.rule}" in the Coinfile (action ${action.key})`,
      },
    }
  const env: Record<string, string> = {
    CUDA_VISIBLE_DEVICES: action.grant.gpus.join(','),
    OMP_NUM_THREADS: String(action.grant.cpu),
    ...action.env,
    // After the target's env, so a declared env cannot point two keys at one scratch.
    COIN_SCRATCH: action.scratch,
  }
  let scratchReady = false
  const ctx: RunContext = {
    key: action.key,
    params: action.params,
    inputs: action.inputs,
    out: join(action.staging, 'out'),
    // Created when the rule first asks for it: most rules never do, and a directory made and
    // removed per target was a measurable share of a build's per-target cost.
    get scratch() {
      if (!scratchReady) {
        ensureScratch(new CacheLayout(action.cache), action.key, action.id)
        scratchReady = true
      }
      return action.scratch
    },
    root: action.root,
    log: hooks.log,
    progress: hooks.progress,
    signal,
    resources: { cpu: action.grant.cpu, gpus: action.grant.gpus, memGB: action.grant.memGB },
    env,
  }
  try {
    await rule.run(ctx)
    if (signal.aborted) return { status: 'cancelled' }
    return { status: 'ok' }
  } catch (err) {
    if (signal.aborted) return { status: 'cancelled' }
    return { status: 'failed', ...asDiagnostic(err) }
  }
}
