import { readFileSync } from 'node:fs'
import { UserError } from '../errors.ts'
import type { CsvRecord } from './csv.ts'
import { CsvSyntaxError, parseCsv } from './csv.ts'
import { readRows, withDatabase } from './database.ts'
import { ANONYMOUS_RUN, insertRun } from './record.ts'
import { ensureSchema } from './schema.ts'
import type { ExperimentKind, ExperimentRow, MetricRow, ResultsData, ScoreRow } from './types.ts'
import { ACCURACY_METRIC, MULTITASK_STAGE_TASK, ZERO_SHOT_STAGE_TASK } from './types.ts'
import { validateResultsData } from './validate.ts'

/**
 * The long CSV that `coin metrics --from` reads: one accuracy cell per line.
 *
 *   method,stage,stage_task,eval_task,value
 *   lora,0,zeroshot,scienceqa,41.2        stage 0 = zero-shot row (its stage_task is ignored)
 *   lora,1,scienceqa,scienceqa,82.45      after training stage 1 (scienceqa), evaluated on scienceqa
 *   lora,2,textvqa,scienceqa,60.1
 *   joint,8,multitask,textvqa,49.35       a joint-training bound: stage_task 'multitask', stage = T
 *
 * Columns may come in any order and extra columns are ignored. Each method is one experiment.
 * T is the number of distinct eval tasks of the method, unless a `tasks` order is given.
 * Without one, the order is read off the stage_task of stages 1..T; a multitask or zero-shot
 * method's order is the order in which its eval tasks first appear.
 */
export const CSV_COLUMNS = ['method', 'stage', 'stage_task', 'eval_task', 'value'] as const
type CsvColumn = (typeof CSV_COLUMNS)[number]

export interface MetricsFromCsvOptions {
  /** The task order for every method; overrides inference, and T = tasks.length. */
  tasks?: string[]
}

/** Reads the CSV, loads it into a scratch in-memory DuckDB and returns the `metrics` view. */
export async function metricsFromCsv(
  csvPath: string,
  options: MetricsFromCsvOptions = {},
): Promise<MetricRow[]> {
  const data = resultsFromCsv(csvPath, options)
  return withDatabase(':memory:', {}, async (con) => {
    await ensureSchema(con, ':memory:')
    await insertRun(con, { ...ANONYMOUS_RUN, results_target: csvPath }, data)
    return (await readRows(con, 'SELECT * FROM metrics ORDER BY experiment')) as unknown as MetricRow[]
  })
}

/** The CSV as ingestible rows (experiment = method, order_name 'default'); exported for tests. */
export function resultsFromCsv(csvPath: string, options: MetricsFromCsvOptions = {}): ResultsData {
  const cells = readCells(csvPath)
  const byMethod = new Map<string, Cell[]>()
  for (const cell of cells) {
    const list = byMethod.get(cell.method) ?? []
    list.push(cell)
    byMethod.set(cell.method, list)
  }
  const data: ResultsData = { scores: [], experiments: [] }
  for (const [method, methodCells] of [...byMethod].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const experiment = describeExperiment(csvPath, method, methodCells, options.tasks)
    data.experiments.push(experiment)
    for (const cell of methodCells) data.scores.push(toScore(experiment, cell))
  }
  validateResultsData(csvPath, data)
  return data
}

interface Cell {
  line: number
  method: string
  stage: number
  stage_task: string
  eval_task: string
  value: number
}

function readCells(csvPath: string): Cell[] {
  let text: string
  try {
    text = readFileSync(csvPath, 'utf8')
  } catch (error) {
    throw new UserError({
      message: `cannot read this file (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      file: csvPath,
    })
  }
  let parsed: ReturnType<typeof parseCsv>
  try {
    parsed = parseCsv(text)
  } catch (error) {
    if (error instanceof CsvSyntaxError) {
      throw new UserError({ message: `malformed CSV: ${error.message}`, file: csvPath, line: error.line })
    }
    throw error
  }
  const position = columnPositions(csvPath, parsed.header)
  const seen = new Map<string, number>()
  return parsed.records.map((record) => {
    if (record.fields.length !== parsed.header.length) {
      throw new UserError({
        message: `expected ${parsed.header.length} fields (as in the header), found ${record.fields.length}`,
        file: csvPath,
        line: record.line,
      })
    }
    const cell = readCell(csvPath, record, position)
    const id = `${cell.method}\u0000${cell.stage}\u0000${cell.eval_task}`
    const firstLine = seen.get(id)
    if (firstLine !== undefined) {
      throw new UserError({
        message: `method '${cell.method}', stage ${cell.stage}, eval_task '${cell.eval_task}' is already given on line ${firstLine}`,
        file: csvPath,
        line: record.line,
        fix: 'keep one value per cell',
      })
    }
    seen.set(id, record.line)
    return cell
  })
}

function columnPositions(csvPath: string, header: string[]): Record<CsvColumn, number> {
  const position = {} as Record<CsvColumn, number>
  for (const column of CSV_COLUMNS) {
    const index = header.indexOf(column)
    if (index < 0) {
      throw new UserError({
        message: `missing column '${column}'`,
        file: csvPath,
        line: 1,
        key: column,
        fix: `the header must name the columns ${CSV_COLUMNS.join(',')} (header found: ${header.join(',') || 'none'})`,
      })
    }
    position[column] = index
  }
  return position
}

function readCell(csvPath: string, record: CsvRecord, position: Record<CsvColumn, number>): Cell {
  const field = (column: CsvColumn) => (record.fields[position[column]] ?? '').trim()
  const bad = (column: CsvColumn, what: string): never => {
    throw new UserError({
      message: `column '${column}' (column ${position[column] + 1}): ${what}`,
      file: csvPath,
      line: record.line,
      key: column,
    })
  }
  const method = field('method') || bad('method', 'is empty')
  const stageText = field('stage')
  if (!/^\d+$/.test(stageText)) bad('stage', `'${stageText}' is not a whole number ≥ 0`)
  const stage = Number(stageText)
  const eval_task = field('eval_task') || bad('eval_task', 'is empty')
  const stageTask = field('stage_task')
  if (stage > 0 && stageTask === '')
    bad('stage_task', 'is empty (only the zero-shot row, stage 0, may leave it out)')
  const valueText = field('value')
  if (!DECIMAL_NUMBER.test(valueText)) bad('value', `'${valueText}' is not a number`)
  const value = Number(valueText)
  if (value < 0 || value > 100) bad('value', `${valueText} is outside 0..100 (accuracy in percent)`)
  return {
    line: record.line,
    method,
    stage,
    stage_task: stage === 0 ? ZERO_SHOT_STAGE_TASK : stageTask,
    eval_task,
    value,
  }
}

/** Plain decimal notation only: `Number()` alone would also accept '0x1f' and 'Infinity'. */
const DECIMAL_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

function describeExperiment(
  csvPath: string,
  method: string,
  cells: Cell[],
  givenTasks: string[] | undefined,
): ExperimentRow {
  const kind = kindOf(csvPath, method, cells)
  const tasks = givenTasks ?? inferTasks(csvPath, method, kind, cells)
  for (const cell of cells) {
    if (!tasks.includes(cell.eval_task)) {
      lineError(csvPath, cell, `eval_task '${cell.eval_task}' is not in the task order (${tasks.join(', ')})`)
    }
    if (kind === 'multitask' && cell.stage !== tasks.length) {
      lineError(csvPath, cell, `a multitask row belongs at stage T = ${tasks.length}, not ${cell.stage}`)
    }
    if (kind === 'sequential' && cell.stage > 0 && tasks[cell.stage - 1] !== cell.stage_task) {
      const expected = tasks[cell.stage - 1]
      lineError(
        csvPath,
        cell,
        expected === undefined
          ? `stage ${cell.stage} is past the last task (T = ${tasks.length})`
          : `stage ${cell.stage} trains '${expected}' in the task order, not '${cell.stage_task}'`,
      )
    }
  }
  return { experiment: method, method, order_name: 'default', tasks, kind }
}

function kindOf(csvPath: string, method: string, cells: Cell[]): ExperimentKind {
  const multitask = cells.filter((cell) => cell.stage_task === MULTITASK_STAGE_TASK)
  if (multitask.length === 0) return cells.every((cell) => cell.stage === 0) ? 'zeroshot' : 'sequential'
  const other = cells.find((cell) => cell.stage_task !== MULTITASK_STAGE_TASK)
  if (other) {
    lineError(
      csvPath,
      other,
      `method '${method}' mixes multitask rows (line ${multitask[0]?.line}) with other rows; give the joint-training bound its own method name`,
    )
  }
  return 'multitask'
}

/** The order of stages 1..T read off their stage_task, T = number of distinct eval tasks. */
function inferTasks(csvPath: string, method: string, kind: ExperimentKind, cells: Cell[]): string[] {
  const evalTasks = [...new Set(cells.map((cell) => cell.eval_task))]
  if (kind !== 'sequential') return evalTasks
  const stageTasks = new Map<number, Cell>()
  for (const cell of cells) {
    if (cell.stage === 0) continue
    const earlier = stageTasks.get(cell.stage)
    if (earlier && earlier.stage_task !== cell.stage_task) {
      lineError(
        csvPath,
        cell,
        `stage ${cell.stage} of '${method}' trains '${earlier.stage_task}' on line ${earlier.line}, not '${cell.stage_task}'`,
      )
    }
    stageTasks.set(cell.stage, earlier ?? cell)
  }
  const t = evalTasks.length
  const order: string[] = []
  for (let stage = 1; stage <= t; stage++) {
    const cell = stageTasks.get(stage)
    if (!cell) {
      throw new UserError({
        message: `cannot infer the task order of method '${method}': it has ${t} eval tasks but no row for stage ${stage}`,
        file: csvPath,
        fix: 'give the order explicitly (`--tasks a,b,c`, or the `tasks` option)',
      })
    }
    order.push(cell.stage_task)
  }
  for (const [stage, cell] of stageTasks) {
    if (stage > t)
      lineError(csvPath, cell, `stage ${stage} is past the last task (T = ${t} distinct eval tasks)`)
  }
  const missing = evalTasks.find((task) => !order.includes(task))
  if (missing !== undefined || new Set(order).size !== t) {
    throw new UserError({
      message: `cannot infer the task order of method '${method}': stages 1..${t} train ${order.join(', ')}, but the eval tasks are ${evalTasks.join(', ')}`,
      file: csvPath,
      fix: 'give the order explicitly (`--tasks a,b,c`, or the `tasks` option)',
    })
  }
  return order
}

function toScore(experiment: ExperimentRow, cell: Cell): ScoreRow {
  return {
    experiment: experiment.experiment,
    method: experiment.method,
    order_name: experiment.order_name,
    stage: cell.stage,
    stage_task: experiment.kind === 'multitask' ? MULTITASK_STAGE_TASK : cell.stage_task,
    eval_task: cell.eval_task,
    metric: ACCURACY_METRIC,
    value: cell.value,
  }
}

function lineError(csvPath: string, cell: Cell, message: string): never {
  throw new UserError({ message, file: csvPath, line: cell.line })
}
