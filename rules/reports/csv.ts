import { csvLine } from '../../src/results/index.ts'
import { METRIC_COLUMNS } from './labels.ts'
import type { ForgettingData } from './report-data.ts'

export const REPORT_CSV_HEADER = [
  'experiment',
  'kind',
  'metric',
  'stage',
  'stage_task',
  'eval_task',
  'value',
  'n',
  'parse_failures',
] as const

/**
 * `forgetting.csv`, long form for plotting and spreadsheets: first each experiment's metrics
 * (metric = acc, bwt, bwt_trace, fwt, forgetting, maa, the `metrics` view's column names; the
 * stage columns empty), then its matrix cells (metric = accuracy, with n and the unparsable
 * outputs among them). A missing value is an empty
 * field, never "–", so the column stays numeric. Values keep 6 decimals, not the 2 of the
 * tables: this file is for further computation.
 */
export function renderCsv(data: ForgettingData): string {
  const lines = [csvLine(REPORT_CSV_HEADER)]
  for (const e of data.experiments) {
    for (const column of METRIC_COLUMNS) {
      lines.push(
        csvLine([
          e.experiment,
          e.kind,
          column.key,
          null,
          null,
          null,
          csvNumber(e.metrics[column.key]),
          null,
          null,
        ]),
      )
    }
  }
  for (const e of data.experiments) {
    for (const row of e.rows) {
      row.values.forEach((value, j) => {
        if (value === null) return
        lines.push(
          csvLine([
            e.experiment,
            e.kind,
            'accuracy',
            row.stage,
            row.stage_task,
            e.tasks[j],
            csvNumber(value),
            row.n[j] == null ? null : String(row.n[j]),
            row.parse_failures[j] == null ? null : String(row.parse_failures[j]),
          ]),
        )
      })
    }
  }
  return `${lines.join('\n')}\n`
}

function csvNumber(value: unknown): string | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return null
  const rounded = Number(value.toFixed(6))
  return String(Object.is(rounded, -0) ? 0 : rounded)
}
