/**
 * Results: scores in DuckDB, the continual-learning metrics as SQL views, and read access for
 * reports and `coin query`. Importing this module does not load DuckDB; each call does, lazily.
 */
export { CsvSyntaxError, csvLine, parseCsv } from './csv.ts'
export type { JsonValue, OpenOptions, ResultRow } from './database.ts'
export {
  REBUILD_COMMAND,
  readRows,
  resultsDatabasePath,
  resultsDirectory,
  withDatabase,
} from './database.ts'
export { formatFixed, formatTextTable, MISSING } from './format.ts'
export type { MetricsFromCsvOptions } from './metrics-csv.ts'
export { CSV_COLUMNS, metricsFromCsv, resultsFromCsv } from './metrics-csv.ts'
export { differingKeys, flattenParams, formatParam } from './params.ts'
export type { QueryTable } from './query.ts'
export { queryResults, queryTable } from './query.ts'
export type { RecordSummary } from './record.ts'
export { ANONYMOUS_RUN, recordRun } from './record.ts'
export type { ExperimentResult, RunSummary, RunTable } from './runs.ts'
export { findRun, loadRunTable, SHOWN_METRICS, toRunSummary } from './runs.ts'
export { requireSchema, SCHEMA_VERSION } from './schema.ts'
export type { ResultsSnapshot } from './snapshot.ts'
export { RESULTS_SNAPSHOT_FILE, readResultsSnapshot } from './snapshot.ts'
export type { TrainerState, TrainerStep } from './train-log.ts'
export { parseTrainerState, readTrainLog, TRAINER_STATE_FILE } from './train-log.ts'
export type {
  ActionRow,
  ExperimentKind,
  ExperimentRow,
  MatrixCell,
  MetricRow,
  ResultsData,
  RunInfo,
  RunTargetRow,
  ScoreRow,
  TaskDropRow,
  TrainLogRow,
} from './types.ts'
export { ACCURACY_METRIC, MULTITASK_STAGE_TASK, ZERO_SHOT_STAGE_TASK } from './types.ts'
export { validateResultsData } from './validate.ts'
