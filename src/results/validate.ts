import { UserError } from '../errors.ts'
import { findNonJson } from '../hash/canonical-json.ts'
import type { ActionRow, ExperimentRow, ResultsData, ScoreRow, TrainLogRow } from './types.ts'
import { ACCURACY_METRIC, MULTITASK_STAGE_TASK, ZERO_SHOT_STAGE_TASK } from './types.ts'

/**
 * Checks what TypeScript cannot: that records coming from JSON files have the right types, and
 * that each score fits its experiment (task order, stage range, the stage task that stage
 * trained). Fails on the first problem with the record's path, e.g. `scores[12].stage_task`.
 * Duplicated cells are found later, inside the ingest transaction, by SQL.
 */
export function validateResultsData(source: string, data: ResultsData): void {
  const experiments = new Map<string, ExperimentRow>()
  data.experiments.forEach((row, index) => {
    const at = `experiments[${index}]`
    validateExperiment(source, at, row)
    if (experiments.has(row.experiment)) fail(source, at, `experiment '${row.experiment}' is listed twice`)
    experiments.set(row.experiment, row)
  })
  data.scores.forEach((row, index) => {
    validateScore(source, `scores[${index}]`, row, experiments)
  })
  data.actions?.forEach((row, index) => {
    validateAction(source, `actions[${index}]`, row)
  })
  data.train_log?.forEach((row, index) => {
    validateTrainStep(source, `train_log[${index}]`, row)
  })
}

function validateExperiment(source: string, at: string, row: ExperimentRow): void {
  requireText(source, at, row, 'experiment')
  requireText(source, at, row, 'method')
  requireText(source, at, row, 'order_name')
  if (!Array.isArray(row.tasks) || row.tasks.length === 0)
    fail(source, `${at}.tasks`, 'must be a non-empty list')
  row.tasks.forEach((task, j) => {
    if (typeof task !== 'string' || task === '')
      fail(source, `${at}.tasks[${j}]`, 'must be a non-empty string')
  })
  if (new Set(row.tasks).size !== row.tasks.length) fail(source, `${at}.tasks`, 'lists a task twice')
  if (!['sequential', 'multitask', 'zeroshot'].includes(row.kind)) {
    fail(
      source,
      `${at}.kind`,
      `must be 'sequential', 'multitask' or 'zeroshot', not ${JSON.stringify(row.kind)}`,
    )
  }
}

function validateScore(
  source: string,
  at: string,
  row: ScoreRow,
  experiments: Map<string, ExperimentRow>,
): void {
  for (const field of ['experiment', 'method', 'order_name', 'stage_task', 'eval_task', 'metric'] as const) {
    requireText(source, at, row, field)
  }
  if (!Number.isInteger(row.stage) || row.stage < 0) fail(source, `${at}.stage`, 'must be an integer ≥ 0')
  if (typeof row.value !== 'number' || !Number.isFinite(row.value))
    fail(source, `${at}.value`, 'must be a finite number')
  if (row.metric === ACCURACY_METRIC && (row.value < 0 || row.value > 100)) {
    fail(source, `${at}.value`, `accuracy must be between 0 and 100, got ${row.value}`)
  }
  for (const field of ['n', 'parse_failures'] as const) {
    const value = row[field]
    if (value != null && (!Number.isInteger(value) || value < 0))
      fail(source, `${at}.${field}`, 'must be an integer ≥ 0')
  }
  for (const field of ['key', 'checkpoint'] as const) {
    const value = row[field]
    if (value != null && typeof value !== 'string') fail(source, `${at}.${field}`, 'must be a string')
  }
  const experiment = experiments.get(row.experiment)
  if (!experiment) {
    fail(source, `${at}.experiment`, `experiment '${row.experiment}' is not among this source's experiments`)
  }
  if (!experiment.tasks.includes(row.eval_task)) {
    fail(
      source,
      `${at}.eval_task`,
      `'${row.eval_task}' is not in experiment '${row.experiment}''s task order`,
    )
  }
  const expected = expectedStageTask(experiment, row.stage)
  if (expected === undefined) {
    fail(source, `${at}.stage`, `stage ${row.stage} is impossible for ${describeKind(experiment)}`)
  }
  if (row.stage_task !== expected) {
    fail(
      source,
      `${at}.stage_task`,
      `stage ${row.stage} of '${row.experiment}' trains '${expected}', not '${row.stage_task}'`,
    )
  }
}

/** The task a stage trained, or undefined when the experiment has no such stage. */
function expectedStageTask(experiment: ExperimentRow, stage: number): string | undefined {
  const t = experiment.tasks.length
  switch (experiment.kind) {
    case 'sequential':
      return stage === 0 ? ZERO_SHOT_STAGE_TASK : experiment.tasks[stage - 1]
    case 'multitask':
      return stage === t ? MULTITASK_STAGE_TASK : undefined
    case 'zeroshot':
      return stage === 0 ? ZERO_SHOT_STAGE_TASK : undefined
  }
}

function describeKind(experiment: ExperimentRow): string {
  const t = experiment.tasks.length
  switch (experiment.kind) {
    case 'sequential':
      return `sequential experiment '${experiment.experiment}' (stages 0..${t})`
    case 'multitask':
      return `multitask experiment '${experiment.experiment}' (its one row is stage ${t} = T)`
    case 'zeroshot':
      return `zero-shot experiment '${experiment.experiment}' (its one row is stage 0)`
  }
}

function validateAction(source: string, at: string, row: ActionRow): void {
  requireText(source, at, row, 'key')
  requireText(source, at, row, 'target')
  requireText(source, at, row, 'rule')
  const notJson = row.params === undefined ? undefined : findNonJson(row.params, 'params')
  if (notJson) fail(source, `${at}.params`, `must be plain JSON (${notJson})`)
  for (const field of ['started_at', 'finished_at'] as const) {
    const value = row[field]
    if (value != null && (typeof value !== 'string' || Number.isNaN(Date.parse(value)))) {
      fail(source, `${at}.${field}`, 'must be an ISO 8601 timestamp')
    }
  }
  if (row.duration_ms != null && (typeof row.duration_ms !== 'number' || !(row.duration_ms >= 0))) {
    fail(source, `${at}.duration_ms`, 'must be a number ≥ 0')
  }
  for (const field of ['executor', 'host'] as const) {
    const value = row[field]
    if (value != null && typeof value !== 'string') fail(source, `${at}.${field}`, 'must be a string')
  }
}

function validateTrainStep(source: string, at: string, row: TrainLogRow): void {
  requireText(source, at, row, 'key')
  if (!Number.isInteger(row.step) || row.step < 0) fail(source, `${at}.step`, 'must be an integer ≥ 0')
  for (const field of ['loss', 'lr', 'epoch'] as const) {
    const value = row[field]
    if (value != null && (typeof value !== 'number' || !Number.isFinite(value)))
      fail(source, `${at}.${field}`, 'must be a finite number or null')
  }
}

function requireText<T extends object>(source: string, at: string, row: T, field: keyof T & string): void {
  const value = row[field]
  if (typeof value !== 'string' || value === '') fail(source, `${at}.${field}`, 'must be a non-empty string')
}

function fail(source: string, key: string, what: string): never {
  throw new UserError({
    message: `results from ${source}: ${key} ${what}`,
    key,
    fix: 'this record was produced by a rule; check the rule that writes it (nothing was ingested)',
  })
}
