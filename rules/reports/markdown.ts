import { formatFixed } from '../../src/results/index.ts'
import {
  cellText,
  METRIC_COLUMNS,
  overridesText,
  runSummary,
  sampleSizeText,
  seenTaskAccuracy,
  stageLabel,
} from './labels.ts'
import type { ForgettingData, ReportExperiment, ReportRun } from './report-data.ts'

/**
 * `forgetting.md`: one accuracy matrix per experiment (rows = after stage k, labelled with the
 * task that stage trained; columns = evaluated task), its own-vs-final table, then one metrics
 * table across all experiments, joint-training bounds included. Two decimals; "–" = missing.
 */
export function renderMarkdown(data: ForgettingData): string {
  const out: string[] = ['# Forgetting report', '']
  if (data.run) out.push(...runHeader(data.run))
  out.push(
    'R[i][j] is the accuracy (%) on task j after training stage i; stage 0 is the zero-shot model. ' +
      '"–" marks a cell that was not evaluated, or a metric some of whose cells are missing.',
    '',
  )
  if (data.experiments.length === 0) {
    out.push('No experiments in the results database yet.', '')
    return out.join('\n')
  }
  for (const experiment of data.experiments) out.push(...experimentSection(experiment))
  out.push(...seenTaskTable(data.experiments))
  out.push('## Metrics', '')
  out.push(
    table(
      ['experiment', 'method', 'order', 'kind', 'T', ...METRIC_COLUMNS.map((c) => c.title)],
      ['l', 'l', 'l', 'l', 'r', ...METRIC_COLUMNS.map(() => 'r' as const)],
      data.experiments.map((e) => [
        e.experiment,
        e.method,
        e.order_name,
        e.kind,
        String(e.tasks.length),
        ...METRIC_COLUMNS.map((c) => formatFixed(e.metrics[c.key] as number | null)),
      ]),
    ),
    '',
  )
  for (const column of METRIC_COLUMNS) out.push(`- **${column.title}**: ${column.meaning}.`)
  out.push(
    '- BWT, FWT, Forgetting and MAA apply to sequential experiments; a multitask (joint) bound has ACC only.',
    '',
  )
  return out.join('\n')
}

function experimentSection(e: ReportExperiment): string[] {
  const out = [`## ${escapeCell(e.experiment)}`, '']
  out.push(`method \`${e.method}\`, order \`${e.order_name}\`, ${e.kind}, T = ${e.tasks.length}`, '')
  out.push(
    table(
      ['after stage', ...e.tasks],
      ['l', ...e.tasks.map(() => 'r' as const)],
      e.rows.map((row) => [
        stageLabel(row),
        ...row.values.map((_, j) => cellText(row, j, (v) => formatFixed(v))),
      ]),
    ),
    '',
  )
  const sizes = sampleSizeText(e)
  const failures = e.rows.flatMap((row) => row.parse_failures).reduce<number>((a, f) => a + (f ?? 0), 0)
  if (sizes)
    out.push(
      `${sizes}; ${failures} unparsable output${failures === 1 ? '' : 's'} in this matrix (counted as wrong).`,
      '',
    )
  if (e.drops.length > 0) {
    out.push(
      table(
        ['task', 'own stage', 'final', 'drop'],
        ['l', 'r', 'r', 'r'],
        e.drops.map((d) => [
          d.task,
          formatFixed(d.own_acc),
          formatFixed(d.final_acc),
          formatFixed(d.acc_drop),
        ]),
      ),
      '',
    )
  }
  return out
}

/** Who produced these numbers: the run, and every param (the --set ones first). */
function runHeader(run: ReportRun): string[] {
  const params = Object.entries(run.params)
  return [
    `${runSummary(run)}.`,
    '',
    `Overrides: ${overridesText(run)}.`,
    '',
    `<details><summary>All ${params.length} params of ${run.run_id}</summary>`,
    '',
    table(
      ['param', 'value'],
      ['l', 'l'],
      params.map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]),
    ),
    '',
    '</details>',
    '',
  ]
}

/** The cross-method view: mean accuracy on the tasks seen so far, after each stage. */
function seenTaskTable(experiments: ReportExperiment[]): string[] {
  const sequential = experiments.filter((e) => e.kind === 'sequential')
  if (sequential.length === 0) return []
  const stages = Math.max(...sequential.map((e) => e.tasks.length))
  return [
    '## Average accuracy on the tasks seen so far',
    '',
    table(
      ['experiment', ...Array.from({ length: stages }, (_, k) => `after ${k + 1}`)],
      ['l', ...Array.from({ length: stages }, () => 'r' as const)],
      sequential.map((e) => {
        const points = seenTaskAccuracy(e)
        return [
          e.experiment,
          ...Array.from({ length: stages }, (_, k) =>
            formatFixed(points.find((p) => p.stage === k + 1)?.value),
          ),
        ]
      }),
    ),
    '',
  ]
}

function table(header: string[], align: ('l' | 'r')[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map(escapeCell).join(' | ')} |`
  const rule = `|${align.map((a) => (a === 'r' ? '---:' : ':---')).join('|')}|`
  return [line(header), rule, ...rows.map(line)].join('\n')
}

/** A pipe would end the cell early. */
function escapeCell(text: string): string {
  return text.replaceAll('|', '\\|')
}
