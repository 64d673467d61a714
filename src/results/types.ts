/**
 * The rows that go into and come out of the results database (`results/coin.duckdb`).
 *
 * Field names are the SQL column names on purpose: a `ScoreRow` read back with
 * `select * from scores` has the same shape as the one that was ingested, and users who write
 * `coin query` see the same names as code does.
 */

/** How an experiment's accuracy matrix was produced. */
export type ExperimentKind = 'sequential' | 'multitask' | 'zeroshot'

/** `stage_task` of the zero-shot row (stage 0): no training has happened yet. */
export const ZERO_SHOT_STAGE_TASK = 'zeroshot'
/** `stage_task` of a joint-training (upper bound) experiment's only row, stored at stage = T. */
export const MULTITASK_STAGE_TASK = 'multitask'
/** The metric the matrix and the continual-learning metrics are computed from. */
export const ACCURACY_METRIC = 'accuracy'

/**
 * One evaluated cell R[stage][eval_task] in long form.
 * `stage` 0 is the zero-shot row; 1..T is "after training stage k", whose task is `stage_task`.
 */
export interface ScoreRow {
  experiment: string
  method: string
  order_name: string
  stage: number
  stage_task: string
  eval_task: string
  /** 'accuracy' for the matrix; other metrics (e.g. a judge score) are stored but not aggregated. */
  metric: string
  /** 0..100 for 'accuracy'. */
  value: number
  /** Number of evaluated samples. */
  n?: number | null
  /** Predictions the scorer could not parse (counted wrong). */
  parse_failures?: number | null
  /** Cache key of the target that produced this score. */
  key?: string | null
  /** Content digest of the checkpoint that was evaluated. */
  checkpoint?: string | null
}

/** One experiment: a method trained over a task order (or jointly, or not at all). */
export interface ExperimentRow {
  experiment: string
  method: string
  order_name: string
  /** The task order; T = tasks.length, and R[i][j]'s j is the 1-based position here. */
  tasks: string[]
  kind: ExperimentKind
}

/** Provenance of one built target, from its action record; one row per cache key. */
export interface ActionRow {
  key: string
  target: string
  rule: string
  /** Stored as canonical JSON (keys sorted), so equal params compare equal in SQL. */
  params: unknown
  /** ISO 8601 timestamps. */
  started_at: string | null
  finished_at: string | null
  duration_ms: number | null
  executor: string | null
  host: string | null
}

/** How one target of a run came to be up to date in that build. */
export interface RunTargetRow {
  target: string
  key: string
  /** 'ran' | 'restored' | 'fresh' (as the build reported it), null when unknown. */
  outcome: string | null
}

/** One logged training step of the target whose cache key is `key`. */
export interface TrainLogRow {
  key: string
  target: string | null
  step: number
  loss: number | null
  lr: number | null
  epoch: number | null
}

/** A build that produced results: what was built, from what, where and when. */
export interface RunInfo {
  started_at: string | null
  finished_at: string | null
  git_rev: string | null
  git_dirty: boolean | null
  /** The Coinfile's path relative to the project root. */
  coinfile: string | null
  coinfile_digest: string | null
  /** Every param after --set, as canonical JSON. */
  params: unknown
  /** The --set arguments as given (`stages.vqav2.lr=0.001`). */
  overrides: string[]
  host: string | null
  /** The targets the build was asked for. */
  targets: string[]
  results_target: string | null
  results_key: string | null
}

/** Everything one run contributes. */
export interface ResultsData {
  scores: ScoreRow[]
  experiments: ExperimentRow[]
  actions?: ActionRow[]
  run_targets?: RunTargetRow[]
  train_log?: TrainLogRow[]
}

/** One row of the `metrics` view. NULL (here `null`) wherever a required cell is missing. */
export interface MetricRow {
  experiment: string
  method: string
  order_name: string
  kind: ExperimentKind
  n_tasks: number
  /** Mean of the final row R[T][1..T]; for 'zeroshot' experiments, of row 0. */
  acc: number | null
  /** GEM backward transfer, divided by T−1. */
  bwt: number | null
  /** TRACE's backward transfer: the same sum divided by T. */
  bwt_trace: number | null
  /** GEM forward transfer against the zero-shot row, divided by T−1. */
  fwt: number | null
  /** Chaudhry average forgetting after the last stage, divided by T−1. */
  forgetting: number | null
  /** Mean average accuracy (SEFE). */
  maa: number | null
}

/** One row of the `task_drop` view: how much of task j survived to the end. */
export interface TaskDropRow {
  experiment: string
  task_index: number
  task: string
  /** R[j][j]: right after training on task j. */
  own_acc: number | null
  /** R[T][j]: after the last stage. */
  final_acc: number | null
  /** own_acc − final_acc; positive means the task was forgotten. */
  acc_drop: number | null
}

/** One row of the `matrix` view. */
export interface MatrixCell {
  experiment: string
  stage: number
  stage_task: string
  eval_task: string
  /** 1-based position of eval_task in the experiment's order (null if not in it). */
  eval_index: number | null
  /** null when two sources disagree on this cell. */
  value: number | null
}
