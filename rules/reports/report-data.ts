import type { DuckDBConnection } from '@duckdb/node-api'
import { UserError } from '../../src/errors.ts'
import type {
  ExperimentKind,
  JsonValue,
  MetricRow,
  ResultRow,
  RunSummary,
  TaskDropRow,
} from '../../src/results/index.ts'
import { readRows, requireSchema, toRunSummary, withDatabase } from '../../src/results/index.ts'
import { sqlString } from '../../src/results/record.ts'

/**
 * Everything a forgetting report shows, read once from the results database and sorted, so the
 * renderers are pure functions of this value and the same database always gives the same bytes.
 */
export interface ForgettingData {
  /** The run shown; null for a database without runs. */
  run: ReportRun | null
  /** Sequential experiments first, then multitask bounds, then zero-shot; by name within each. */
  experiments: ReportExperiment[]
  /** The logged training steps of the run's targets (`train_log`), by target and step. */
  training?: TrainingPoint[]
}

export interface TrainingPoint {
  target: string
  step: number
  loss: number | null
  lr: number | null
}

/** The run a report shows: enough to say which build, from what, with which params. */
export type ReportRun = Omit<RunSummary, 'seq'>

export interface ReportExperiment {
  experiment: string
  method: string
  order_name: string
  kind: ExperimentKind
  /** The task order: the matrix's columns. */
  tasks: string[]
  /** The matrix's rows in stage order. */
  rows: MatrixRow[]
  metrics: MetricRow
  /** Own-stage vs final accuracy per task (sequential experiments only; else empty). */
  drops: TaskDropRow[]
}

export interface MatrixRow {
  stage: number
  /** The task trained at this stage, 'zeroshot' for stage 0, 'multitask' for a joint bound. */
  stage_task: string
  /** One value per task in `tasks` order; null = not evaluated. */
  values: (number | null)[]
  /** Per task: evaluated samples and unparsable outputs (scored 0); null when not recorded. */
  n: (number | null)[]
  parse_failures: (number | null)[]
}

const KIND_ORDER: Record<ExperimentKind, number> = { sequential: 0, multitask: 1, zeroshot: 2 }

/** The latest run's report, or `runId`'s. */
export async function loadForgettingData(dbPath: string, runId?: string): Promise<ForgettingData> {
  return withDatabase(dbPath, { readOnly: true }, async (con) => {
    await requireSchema(con, dbPath)
    const id = runId ?? (await latestRunId(con))
    if (id === null) return { run: null, experiments: [] }
    return readRunData(con, dbPath, id)
  })
}

/** Every run's report, oldest first (what the HTML report's run selector offers). */
export async function loadAllRuns(dbPath: string): Promise<ForgettingData[]> {
  return withDatabase(dbPath, { readOnly: true }, async (con) => {
    await requireSchema(con, dbPath)
    const ids = await readRows(con, 'SELECT run_id FROM runs ORDER BY seq')
    const out: ForgettingData[] = []
    for (const row of ids) out.push(await readRunData(con, dbPath, String(row.run_id)))
    return out
  })
}

async function latestRunId(con: DuckDBConnection): Promise<string | null> {
  const [row] = await readRows(con, 'SELECT run_id FROM latest_run')
  return row ? String(row.run_id) : null
}

async function readRunData(con: DuckDBConnection, dbPath: string, runId: string): Promise<ForgettingData> {
  const where = `run_id = ${sqlString(runId)}`
  const [runRow] = await readRows(con, `SELECT * FROM runs WHERE ${where}`)
  if (!runRow) {
    throw new UserError({
      message: `there is no run ${runId} in the results database`,
      file: dbPath,
      key: runId,
      fix: 'run `coin show` to list the runs',
    })
  }
  const infos = await readRows(
    con,
    `SELECT experiment, method, order_name, kind, tasks FROM run_experiment_info WHERE ${where} ORDER BY experiment`,
  )
  const cells = await readRows(
    con,
    `SELECT m.experiment, m.stage, m.stage_task, m.eval_index, m.value, s.n, s.parse_failures
     FROM run_matrix AS m
     LEFT JOIN run_scores AS s
       ON s.run_id = m.run_id AND s.experiment = m.experiment AND s.stage = m.stage
      AND s.eval_task = m.eval_task AND s.metric = 'accuracy'
     WHERE m.${where} AND m.eval_index IS NOT NULL ORDER BY m.experiment, m.stage, m.eval_index`,
  )
  const metrics = await readRows(
    con,
    `SELECT * EXCLUDE (run_id) FROM run_metrics WHERE ${where} ORDER BY experiment`,
  )
  const drops = await readRows(
    con,
    `SELECT * EXCLUDE (run_id) FROM run_task_drop WHERE ${where} ORDER BY experiment, task_index`,
  )
  const experiments = infos.map((info) => {
    const name = String(info.experiment)
    const kind = info.kind as ExperimentKind
    const tasks = (info.tasks as string[]).map(String)
    const metricRow = metrics.find((row) => row.experiment === name)
    return {
      experiment: name,
      method: String(info.method),
      order_name: String(info.order_name),
      kind,
      tasks,
      rows: matrixRows(
        kind,
        tasks,
        cells.filter((cell) => cell.experiment === name),
      ),
      metrics: metricRow as unknown as MetricRow,
      drops: drops.filter((row) => row.experiment === name) as unknown as TaskDropRow[],
    }
  })
  experiments.sort(
    (a, b) =>
      KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
      (a.experiment < b.experiment ? -1 : a.experiment > b.experiment ? 1 : 0),
  )
  const training = (await readRows(
    con,
    `SELECT t.target, l.step, l.loss, l.lr FROM train_log AS l JOIN run_targets AS t USING (key)
     WHERE t.${where} ORDER BY t.target, l.step`,
  )) as unknown as TrainingPoint[]
  return { run: toReportRun(runRow), experiments, training }
}

function toReportRun(row: ResultRow): ReportRun {
  const { seq: _seq, ...run } = toRunSummary(row)
  return run
}

/**
 * The rows a reader expects for each kind: a sequential experiment shows every stage 1..T (a
 * stage that was never evaluated shows as a row of gaps, which is the point) plus row 0 when a
 * zero-shot evaluation exists; a joint bound shows its one row; a zero-shot experiment row 0.
 */
function matrixRows(kind: ExperimentKind, tasks: string[], cells: ResultRow[]): MatrixRow[] {
  const t = tasks.length
  const stages =
    kind === 'multitask'
      ? [t]
      : kind === 'zeroshot'
        ? [0]
        : [...(cells.some((cell) => cell.stage === 0) ? [0] : []), ...tasks.map((_, i) => i + 1)]
  return stages.map((stage) => {
    const values: (number | null)[] = tasks.map(() => null)
    const n: (number | null)[] = tasks.map(() => null)
    const parseFailures: (number | null)[] = tasks.map(() => null)
    const numberOrNull = (value: JsonValue | undefined) => (typeof value === 'number' ? value : null)
    for (const cell of cells) {
      if (cell.stage !== stage) continue
      const j = Number(cell.eval_index) - 1
      values[j] = numberOrNull(cell.value)
      n[j] = numberOrNull(cell.n)
      parseFailures[j] = numberOrNull(cell.parse_failures)
    }
    return { stage, stage_task: stageTask(kind, tasks, stage), values, n, parse_failures: parseFailures }
  })
}

function stageTask(kind: ExperimentKind, tasks: string[], stage: number): string {
  if (kind === 'multitask') return 'multitask'
  if (stage === 0) return 'zeroshot'
  return tasks[stage - 1] ?? `stage ${stage}`
}
