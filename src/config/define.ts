/**
 * The typed vocabulary of a Coinfile: rules, inputs and targets. Everything here only *describes*
 * work; nothing runs until the engine plans a build.
 */

import type { SlurmSettings } from '../exec/slurm/settings.ts'
import type { Json } from '../hash/canonical-json.ts'
import { checkTargetParams } from './check-params.ts'
import { checkCoinfileSpec, checkRuleSpec, checkTargetSpec } from './check-spec.ts'
import { callerSite, lazyCallerSite, type SourceSite } from './site.ts'

export type { Json }

/** What a target reads. Files, globs and directories are content-hashed; targets by their output. */
export type InputRef =
  | { kind: 'file'; path: string }
  | { kind: 'glob'; pattern: string }
  | { kind: 'dir'; path: string }
  | { kind: 'target'; id: string }

export const file = (path: string): InputRef => ({ kind: 'file', path })
export const glob = (pattern: string): InputRef => ({ kind: 'glob', pattern })
export const dir = (path: string): InputRef => ({ kind: 'dir', path })
/** A dependency on another target's output directory. A `TargetDecl` may be passed directly too. */
export const output = (target: string | TargetDecl): InputRef => ({
  kind: 'target',
  id: typeof target === 'string' ? target : target.id,
})

export interface Resources {
  /** CPU slots (the `-j` pool). Default 1. */
  cpu?: number
  /** GPU count; the job gets this many free ids in CUDA_VISIBLE_DEVICES. Default 0. */
  gpu?: number
  /** Memory in GB, against the `--mem` pool (default: the machine's memory). Default 0. */
  memGB?: number
}

export interface Progress {
  step?: number
  total?: number
  message?: string
  /** The step this attempt resumed at (from `ctx.scratch`); reported once, when it resumes. */
  resumed?: number
  [metric: string]: number | string | undefined
}

/**
 * What a rule's `run` receives. `inputs` are absolute paths; write outputs under `out`.
 * Everything here that can change the output is in the key. The target's id is deliberately not
 * here: keys leave ids out so that two experiments sharing a prefix share checkpoints, so an
 * output that depended on the id would be wrongly shared.
 */
export interface RunContext<P = Json> {
  /** This target's cache key (for provenance written into results). */
  key: string
  params: P
  /** Input name → absolute path (file, dir, a target's output dir) or sorted paths (glob). */
  inputs: Record<string, string | string[]>
  /** The staging directory this target owns; it becomes the target's output on success. */
  out: string
  /**
   * A directory for progress this target can resume from (a checkpoint every N steps). It belongs
   * to the key: it survives an interrupted or failed attempt, is dropped once the target's output
   * is committed, and a changed key starts with an empty one. Not part of the key. Report a resume
   * with `progress({ resumed: step })`; shell rules get it as `$COIN_SCRATCH`.
   */
  scratch: string
  /** The project root (the Coinfile's directory). */
  root: string
  /** Appends a line to the target's log (`coin log T`). */
  log(line: string): void
  /** Reports progress; the terminal shows the latest line per running target. */
  progress(p: Progress): void
  /** Aborted on Ctrl-C or when the build stops. */
  signal: AbortSignal
  /** What the scheduler granted: CPU slots, GPU ids, memory. */
  resources: { cpu: number; gpus: string[]; memGB: number }
  /** Environment for child processes (includes CUDA_VISIBLE_DEVICES). */
  env: Record<string, string>
}

export interface RuleSpec<P> {
  /** A stable name, unique in the Coinfile (`train`, `score`, ...). */
  name: string
  /**
   * Bump to invalidate every target of this rule. Without it the rule's identity is the source of
   * its module (built-in rules) or of its `run` function (rules written inside the Coinfile, so that
   * editing one rule does not rerun the others).
   */
  version?: string
  run(ctx: RunContext<P>): Promise<void> | void
  /**
   * The params this rule takes, each with an example value of its kind (`{ times: 1, name: '' }`;
   * `null` for any kind; a list's first element is the kind of its elements). Not defaults: a
   * target's params are what it passes. Every target's params are checked against it when the
   * target is declared: an unknown param (with "did you mean") or one of another kind stops the
   * load with the target's file:line (exit 2). It also types `P` when `rule()` is not given one.
   */
  params?: ParamExamples<P>
  /** A JSON Schema every target's params must satisfy (ranges, enums, required params...), checked the same way. */
  paramSchema?: Record<string, unknown>
  /**
   * What identifies the rule's code in the key when it is written inside the Coinfile, if not its
   * `run` function (a shell rule is identified by its command template).
   */
  identitySource?: string
  /**
   * Project files or folders (relative to the project root) this rule reads besides its inputs,
   * e.g. the script a command runs: their contents are in every target's key.
   */
  uses?: string[]
  /**
   * For command rules: the words of a target's command (literal and interpolated), so the project
   * files it names are in the key (see fingerprint/command-files.ts).
   */
  commandWords?(ctx: CommandWordsContext<P>): string[]
}

/** A rule's declared params: every key of `P` (optional ones too) with a value of its kind, or null for any. */
export type ParamExamples<P> = { [K in keyof P]-?: P[K] | null } & object

/** What a command is rendered with to find the files it names (before it runs). */
export interface CommandWordsContext<P = Json> {
  params: P
  inputs: Record<string, string | string[]>
  env: Record<string, string>
  root: string
}

export interface Rule<P = Json> extends RuleSpec<P> {
  readonly site: SourceSite | undefined
  /** Declares a target of this rule. */
  (id: string, spec?: TargetSpec<P>): TargetDecl<P>
}

export interface TargetSpec<P> {
  inputs?: Record<string, InputRef | TargetDecl>
  params?: P
  resources?: Resources
  /** Copies the output files into this project directory after every successful build (e.g. `results`). */
  publish?: string
  /** Declared environment that belongs in the key (tool versions, driver, container digest). */
  env?: Record<string, string>
  /** Where it runs (not part of the key): `'local'` keeps a cheap target off the cluster. */
  executor?: ExecutorName
  /** This target's sbatch settings, over the Coinfile's and the command line's. */
  slurm?: SlurmSettings
}

export type ExecutorName = 'local' | 'slurm'

export interface TargetDecl<P = Json> {
  readonly kind: 'target'
  id: string
  rule: Rule<P>
  inputs: Record<string, InputRef>
  params: P
  resources: Required<Resources>
  publish: string | undefined
  env: Record<string, string>
  executor: ExecutorName | undefined
  slurm: SlurmSettings | undefined
  site: SourceSite | undefined
}

export function isTargetDecl(x: unknown): x is TargetDecl {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'target'
}

/**
 * A target as `rule()` declares it. A class rather than an object literal: a literal with a
 * getter (the lazy `site`) is kept as a dictionary, ~860 bytes more per target (100k objects,
 * heapUsed after a GC), and the graph holds every declaration for the whole build.
 */
// Most targets set no env: one shared frozen object, not an empty one per target.
const NO_ENV: Record<string, string> = Object.freeze({})

class DeclaredTarget<P> implements TargetDecl<P> {
  readonly kind = 'target' as const
  readonly publish: string | undefined
  readonly env: Record<string, string>
  readonly executor: ExecutorName | undefined
  readonly slurm: SlurmSettings | undefined
  readonly #site: () => SourceSite | undefined

  constructor(
    readonly id: string,
    readonly rule: Rule<P>,
    readonly inputs: Record<string, InputRef>,
    readonly params: P,
    readonly resources: Required<Resources>,
    spec: TargetSpec<P>,
    site: () => SourceSite | undefined,
  ) {
    this.publish = spec.publish
    this.env = spec.env ?? NO_ENV
    this.executor = spec.executor
    this.slurm = spec.slurm
    this.#site = site
  }

  get site(): SourceSite | undefined {
    return this.#site()
  }
}

/** Defines a rule: an in-process TypeScript function. Use `ctx`'s shell helper for commands. */
// Declaring a rule has no side effect: this lets the bundler that computes rule identities drop
// the other rules of a module from a rule's code closure (see fingerprint/module-graph.ts).
/* @__NO_SIDE_EFFECTS__ */
export function rule<P = Json>(spec: RuleSpec<P>): Rule<P> {
  const site = callerSite()
  checkRuleSpec(spec, site, 'rule')
  const declare = (id: string, t: TargetSpec<P> = {}): TargetDecl<P> => {
    const site = lazyCallerSite()
    checkTargetSpec(String(id), t, site)
    if (spec.params !== undefined || spec.paramSchema !== undefined)
      checkTargetParams(String(id), spec.name, t.params, spec, site)
    const inputs: Record<string, InputRef> = {}
    for (const [name, ref] of Object.entries(t.inputs ?? {})) {
      inputs[name] = isTargetDecl(ref) ? { kind: 'target', id: ref.id } : ref
    }
    return new DeclaredTarget<P>(
      id,
      r,
      inputs,
      (t.params ?? {}) as P,
      { cpu: t.resources?.cpu ?? 1, gpu: t.resources?.gpu ?? 0, memGB: t.resources?.memGB ?? 0 },
      t,
      site,
    )
  }
  // A function's `name` is read-only for assignment; define the rule's fields as properties.
  const r = Object.defineProperties(declare, {
    name: { value: spec.name },
    version: { value: spec.version },
    run: { value: spec.run },
    identitySource: { value: spec.identitySource },
    uses: { value: spec.uses },
    commandWords: { value: spec.commandWords },
    params: { value: spec.params },
    paramSchema: { value: spec.paramSchema },
    site: { value: site },
  }) as unknown as Rule<P>
  return r
}

/**
 * A target or rule of any params type. Params are invariant (a rule both receives and declares
 * them), so heterogeneous lists of targets need `any` here, and only here.
 */
// biome-ignore lint/suspicious/noExplicitAny: see above
export type AnyTargetDecl = TargetDecl<any>
// biome-ignore lint/suspicious/noExplicitAny: see above
export type AnyRule = Rule<any>

export interface CoinfileSpec<P extends Record<string, Json>> {
  /** Every param `coin params` lists and `--set a.b=v` overrides. Typed by its default values. */
  params?: P
  /** Optional JSON Schema for `params`; overrides are validated against it (plus the defaults' types). */
  paramSchema?: Record<string, unknown>
  /** Where targets run unless they or `--executor` say otherwise. Default `'local'`. */
  executor?: ExecutorName
  /** sbatch settings for every Slurm job (partition, account, qos, time, GPU flag, extra flags). */
  slurm?: SlurmSettings
  /** Builds the target list from the resolved params (defaults plus `--set`). */
  targets(params: P): Array<AnyTargetDecl | AnyTargetDecl[]>
}

export interface Coinfile<P extends Record<string, Json> = Record<string, Json>> extends CoinfileSpec<P> {
  readonly kind: 'coinfile'
  readonly site: SourceSite | undefined
}

/** An identity function that gives Coinfile authors autocomplete and type checking. */
/* @__NO_SIDE_EFFECTS__ */
export function defineCoinfile<P extends Record<string, Json>>(spec: CoinfileSpec<P>): Coinfile<P> {
  const site = callerSite()
  checkCoinfileSpec(spec, site)
  return { ...spec, kind: 'coinfile', site }
}
