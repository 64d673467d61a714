/** `coin metrics --from scores.csv`: the continual-learning metrics of a long accuracy CSV. */
import { UserError } from '../../errors.ts'
import type { MetricRow } from '../../results/index.ts'
import { formatFixed, formatTextTable, metricsFromCsv } from '../../results/index.ts'

export interface MetricsCommandOptions {
  from: string
  /** Comma-separated task order; overrides inference from the stage_task column. */
  tasks?: string
  /** One JSON object per line instead of a table. */
  json?: boolean
}

export async function run(opts: MetricsCommandOptions) {
  process.stdout.write(await metricsCommand(opts))
  return 0
}

/** What `coin metrics` prints, as a string (tests call this directly). */
export async function metricsCommand(opts: MetricsCommandOptions): Promise<string> {
  const tasks = opts.tasks === undefined ? undefined : parseTaskList(opts.tasks)
  const rows = await metricsFromCsv(opts.from, tasks ? { tasks } : {})
  if (opts.json) return rows.map((row) => `${JSON.stringify(row)}\n`).join('')
  return `${formatMetricsTable(rows)}\n`
}

const METRIC_TABLE: readonly { title: string; key: keyof MetricRow }[] = [
  { title: 'ACC', key: 'acc' },
  { title: 'BWT', key: 'bwt' },
  { title: 'BWT/T', key: 'bwt_trace' },
  { title: 'FWT', key: 'fwt' },
  { title: 'Forgetting', key: 'forgetting' },
  { title: 'MAA', key: 'maa' },
]

/** Two decimals, "–" for a metric whose cells are missing. */
export function formatMetricsTable(rows: readonly MetricRow[]): string {
  const table = formatTextTable(
    [
      { title: 'method', align: 'left' },
      { title: 'kind', align: 'left' },
      { title: 'T', align: 'right' },
      ...METRIC_TABLE.map((m) => ({ title: m.title, align: 'right' as const })),
    ],
    rows.map((row) => [
      row.method,
      row.kind,
      String(row.n_tasks),
      ...METRIC_TABLE.map((m) => formatFixed(row[m.key] as number | null)),
    ]),
  )
  return `${table}\n\nBWT divides by T−1 (GEM); BWT/T divides by T (TRACE). – = cells missing for that metric.`
}

function parseTaskList(text: string): string[] {
  const tasks = text.split(',').map((task) => task.trim())
  if (tasks.length === 0 || tasks.some((task) => task === '')) {
    throw new UserError({
      message: `--tasks '${text}' has an empty task name`,
      key: '--tasks',
      fix: 'e.g. --tasks scienceqa,textvqa,imagenet',
    })
  }
  return tasks
}
