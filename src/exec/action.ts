/**
 * An action is one target's work as plain data: everything a process needs to run it, on this
 * machine or on a cluster node that sees the same cache (a shared file system). It names its rule
 * instead of carrying the function, so it can be written to a file and run by `coin exec`.
 */
import type { Json, Progress } from '../config/define.ts'
import type { Diagnostic } from '../errors.ts'
import type { KeyData } from '../fingerprint/key.ts'
import type { Grant } from './resources.ts'

export interface Action {
  format: 1
  /** The target id (`train/lora/3-imagenet`). */
  id: string
  key: string
  /** What the key is the hash of (kept in the record, for `coin why`). */
  keyData: KeyData
  /** The rule's name; the executor looks the rule up in the Coinfile's rules. */
  rule: string
  params: Json
  /** Input name → absolute path(s), as the rule's `ctx.inputs`. */
  inputs: Record<string, string | string[]>
  /** The staging directory; the rule writes into `<staging>/out`. */
  staging: string
  /**
   * The key's scratch directory (`ctx.scratch`, under `cache/scratch/`): resumable progress that
   * outlives a failed or interrupted attempt. Not part of the key.
   */
  scratch: string
  /** The project root (the Coinfile's directory). */
  root: string
  /** The cache root (`cache/`): a worker commits its outputs there. */
  cache: string
  grant: Grant
  /** The target's declared env (part of the key) on top of what the executor sets. */
  env: Record<string, string>
  /** The executor that submitted it (recorded in the action record). */
  executor: string
  /** How a worker rebuilds the same rules: the Coinfile and the `--set` values of the build. */
  coinfile: string
  sets: string[]
}

/**
 * How an action ended. A failure carries a diagnostic: a rule's `UserError` keeps its file, key
 * and fix (`cause: 'user'`, the build exits 2), any other error only its message (`cause: 'error'`).
 */
export type ActionResult =
  | { status: 'ok' }
  | { status: 'failed'; cause: 'user' | 'error'; diagnostic: Diagnostic; logTail?: string[] }
  | { status: 'cancelled'; reason?: string }

/** Callbacks of a running action (the CLI shows them; the worker writes them to its events file). */
export interface ActionHooks {
  log(line: string): void
  progress(p: Progress): void
}

/** A UserError, also across module instances (a rule may import coin through another path). */
export function asDiagnostic(err: unknown): { cause: 'user' | 'error'; diagnostic: Diagnostic } {
  const e = err as { name?: string; message?: string; diagnostic?: Diagnostic }
  if (e && e.name === 'UserError' && e.diagnostic && typeof e.diagnostic.message === 'string')
    return { cause: 'user', diagnostic: { ...e.diagnostic } }
  return { cause: 'error', diagnostic: { message: e?.message ?? String(err) } }
}
