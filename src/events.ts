import type { Diagnostic } from './errors.ts'

/**
 * Every observable outcome of a build, as one closed union. The terminal reporter, the `--json`
 * stream and the tests are all consumers of these events; the engine itself never prints.
 */
export type Outcome = 'fresh' | 'restored' | 'ran' | 'failed' | 'skipped'

/**
 * What `status`, `why` and `build --dry-run` say a build would do, in the same `target` event
 * (with `planned: true`): fresh, restore (from the run cache), run, or pending (an upstream runs
 * first; this one reruns unless that output comes out identical).
 */
export type PlannedOutcome = 'fresh' | 'restore' | 'run' | 'pending'

/** One line per target of `coin status|why|build --dry-run --json`, then a `done` line. */
export type PlanEvent =
  | {
      event: 'target'
      planned: true
      id: string
      outcome: PlannedOutcome
      key?: string
      reason?: string
      /** The upstream target that must run first (pending). */
      upstream?: string
      /** Where the target is declared (file:line). */
      declared?: string
    }
  | { event: 'done'; planned: true; ok: true; counts: Record<PlannedOutcome, number> }

export type BuildEvent =
  | { event: 'plan'; targets: number; selected: string[] }
  | { event: 'swept'; staging: number }
  | { event: 'start'; id: string; key: string; reason: string; resources: { cpu: number; gpus: string[] } }
  | { event: 'waiting'; id: string; key: string; holder: 'lock' }
  | { event: 'progress'; id: string; step?: number; total?: number; message?: string; [k: string]: unknown }
  | { event: 'log'; id: string; line: string }
  | {
      event: 'target'
      id: string
      outcome: Outcome
      key?: string
      durationMs: number
      /** Why it ran, why it failed, or which upstream failed (for skipped). */
      reason?: string
      error?: string
      /** A failure caused by bad input (a rule's UserError): where it is and the fix. */
      diagnostic?: Diagnostic
      /** The last lines of a failed remote job's log. */
      logTail?: string[]
      /** The published copy (e.g. results/forgetting.md), when the target publishes. */
      published?: string[]
    }
  | { event: 'done'; ok: boolean; counts: Record<Outcome, number>; durationMs: number; interrupted: boolean }

export type Emit = (e: BuildEvent) => void
