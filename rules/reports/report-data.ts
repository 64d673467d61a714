import type { ExperimentKind, MetricRow, ResultRow, TaskDropRow } from '../../src/results/index.ts'
import { readRows, requireSchema, withDatabase } from '../../src/results/index.ts'

/**
 * Everything a forgetting report shows, read once from the results database and sorted, so the
 * renderers are pure functions of this value and the same database always gives the same bytes.
 */
export interface ForgettingData {
  /** Sequential experiments first, then multitask bounds, then zero-shot; by name within each. */
  experiments: ReportExperiment[]
}

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
}

const KIND_ORDER: Record<ExperimentKind, number> = { sequential: 0, multitask: 1, zeroshot: 2 }

export async function loadForgettingData(dbPath: string): Promise<ForgettingData> {
  const { infos, cells, metrics, drops } = await withDatabase(dbPath, { readOnly: true }, async (con) => {
    await requireSchema(con, dbPath)
    return {
      infos: await readRows(
        con,
        'SELECT experiment, method, order_name, kind, tasks FROM experiment_info ORDER BY experiment',
      ),
      cells: await readRows(
        con,
        `SELECT experiment, stage, stage_task, eval_index, value FROM matrix
       WHERE eval_index IS NOT NULL ORDER BY experiment, stage, eval_index`,
      ),
      metrics: await readRows(con, 'SELECT * FROM metrics ORDER BY experiment'),
      drops: await readRows(con, 'SELECT * FROM task_drop ORDER BY experiment, task_index'),
    }
  })
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
  return { experiments }
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
    for (const cell of cells) {
      if (cell.stage !== stage) continue
      const j = Number(cell.eval_index)
      values[j - 1] = typeof cell.value === 'number' ? cell.value : null
    }
    return { stage, stage_task: stageTask(kind, tasks, stage), values }
  })
}

function stageTask(kind: ExperimentKind, tasks: string[], stage: number): string {
  if (kind === 'multitask') return 'multitask'
  if (stage === 0) return 'zeroshot'
  return tasks[stage - 1] ?? `stage ${stage}`
}
