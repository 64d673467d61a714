/**
 * Results: scores in DuckDB, the continual-learning metrics as SQL views, and read access for
 * reports and `coin query`. Importing this module does not load DuckDB; each call does, lazily.
 */
export { CsvSyntaxError, csvLine, parseCsv } from './csv.ts'
export type { JsonValue, OpenOptions, ResultRow } from './database.ts'
export { REBUILD_COMMAND, readRows, withDatabase } from './database.ts'
export { formatFixed, formatTextTable, MISSING } from './format.ts'
export type { IngestSummary } from './ingest.ts'
export { ingest } from './ingest.ts'
export type { MetricsFromCsvOptions } from './metrics-csv.ts'
export { CSV_COLUMNS, metricsFromCsv, resultsFromCsv } from './metrics-csv.ts'
export type { QueryTable } from './query.ts'
export { queryResults, queryTable } from './query.ts'
export { requireSchema, SCHEMA_VERSION } from './schema.ts'
export type {
  ExperimentKind,
  ExperimentRow,
  MatrixCell,
  MetricRow,
  ResultsData,
  RunRow,
  ScoreRow,
  TaskDropRow,
} from './types.ts'
export { ACCURACY_METRIC, MULTITASK_STAGE_TASK, ZERO_SHOT_STAGE_TASK } from './types.ts'
