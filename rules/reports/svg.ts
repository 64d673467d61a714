import type { TopLevelSpec } from 'vega-lite'
import { formatFixed, MISSING } from '../../src/results/index.ts'
import { experimentTitle, runSummary, seenTaskAccuracy, stageLabel } from './labels.ts'
import type { ForgettingData, ReportExperiment } from './report-data.ts'

/**
 * `forgetting.svg`: one accuracy-matrix heatmap per experiment, then, per sequential experiment,
 * a grouped bar chart of each task's accuracy right after its own stage vs after the last
 * stage, stacked into one SVG (vconcat). Rendered server-side by vega with no canvas; vega and
 * vega-lite are imported here, lazily, because they take ~0.3 s to load.
 */
export async function renderSvg(data: ForgettingData): Promise<string> {
  const [vl, vega] = await Promise.all([import('vega-lite'), import('vega')])
  const spec = forgettingChartSpec(data)
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' })
  try {
    return `${renumberDefIds(await view.toSVG())}\n`
  } finally {
    view.finalize()
  }
}

/**
 * vega numbers gradients and clip paths from process-wide counters, so the second report
 * rendered in a process would name them `gradient_3`... and differ byte for byte from the first.
 * Renaming them in order of appearance makes the output a function of the data alone (and is
 * safe with concurrent renders, unlike resetting the counters).
 */
export function renumberDefIds(svg: string): string {
  const renamed = new Map<string, string>()
  const counters = new Map<string, number>()
  // Only ids and references to them: a task called "clip2" in a label must stay as it is.
  return svg.replace(
    /(id="|url\(#|href="#)((gradient_|clip)\d+)(?=[")])/g,
    (_, lead: string, id: string, prefix: string) => {
      let name = renamed.get(id)
      if (name === undefined) {
        const next = counters.get(prefix) ?? 0
        counters.set(prefix, next + 1)
        name = `${prefix}${next}`
        renamed.set(id, name)
      }
      return lead + name
    },
  )
}

/** The vega-lite spec; separate from rendering so its data can be checked without vega. */
export function forgettingChartSpec(data: ForgettingData): TopLevelSpec {
  const curves = seenTaskChart(data.experiments)
  const charts = [
    ...(curves ? [curves] : []),
    ...data.experiments.map(heatmap),
    ...data.experiments.filter((e) => e.drops.length > 0).map(ownVsFinalBars),
  ]
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: data.run ? { text: 'Forgetting report', subtitle: runSummary(data.run) } : 'Forgetting report',
    background: 'white',
    padding: 8,
    config: { font: 'sans-serif', view: { stroke: null }, axis: { labelLimit: 160 } },
    vconcat: charts.length > 0 ? charts : [emptyChart()],
  } as TopLevelSpec
}

/**
 * The cross-method figure: after each stage k, the mean accuracy on tasks 1..k, one line per
 * sequential experiment. Undefined when there is no sequential experiment.
 */
export function seenTaskChart(experiments: ReportExperiment[]) {
  const values = experiments
    .filter((e) => e.kind === 'sequential')
    .flatMap((e) =>
      seenTaskAccuracy(e).map((p) => ({
        experiment: e.experiment,
        stage: p.stage,
        stage_task: p.stage_task,
        value: p.value,
      })),
    )
  if (values.length === 0) return undefined
  return {
    title: { text: 'Average accuracy on the tasks seen so far, after each stage', anchor: 'start' },
    data: { values },
    width: 420,
    height: 220,
    mark: { type: 'line', point: true },
    encoding: {
      x: {
        field: 'stage',
        type: 'quantitative',
        title: 'after stage',
        axis: { tickMinStep: 1, format: 'd' },
      },
      y: {
        field: 'value',
        type: 'quantitative',
        title: 'mean accuracy on seen tasks (%)',
        scale: { domain: [0, 100] },
      },
      color: { field: 'experiment', type: 'nominal', title: 'experiment' },
      tooltip: [
        { field: 'experiment' },
        { field: 'stage' },
        { field: 'stage_task', title: 'trained' },
        { field: 'value', format: '.2f', title: 'accuracy' },
      ],
    },
  }
}

export function heatmap(e: ReportExperiment) {
  const rowLabels = e.rows.map(stageLabel)
  const values = e.rows.flatMap((row, r) =>
    row.values.map((value, j) => ({
      stage: rowLabels[r],
      task: e.tasks[j],
      value,
      n: row.n[j],
      parse_failures: row.parse_failures[j],
      text: `${formatFixed(value, 2, MISSING)}${(row.parse_failures[j] ?? 0) > 0 ? '*' : ''}`,
    })),
  )
  return {
    title: { text: `${experimentTitle(e)}: accuracy after each stage`, anchor: 'start' },
    data: { values },
    width: { step: 52 },
    height: { step: 22 },
    encoding: {
      x: {
        field: 'task',
        type: 'nominal',
        sort: e.tasks,
        title: 'evaluated task',
        axis: { labelAngle: -35 },
      },
      y: { field: 'stage', type: 'nominal', sort: rowLabels, title: 'after stage' },
    },
    layer: [
      {
        mark: 'rect',
        encoding: {
          color: {
            field: 'value',
            type: 'quantitative',
            title: 'accuracy',
            scale: { domain: [0, 100], scheme: 'blues' },
          },
          tooltip: [
            { field: 'stage', title: 'after stage' },
            { field: 'task' },
            { field: 'value', format: '.2f', title: 'accuracy' },
            { field: 'n', title: 'n' },
            { field: 'parse_failures', title: 'unparsable' },
          ],
        },
      },
      {
        mark: { type: 'text', fontSize: 10 },
        encoding: {
          text: { field: 'text' },
          color: { condition: { test: 'datum.value > 60', value: 'white' }, value: 'black' },
        },
      },
    ],
  }
}

function ownVsFinalBars(e: ReportExperiment) {
  const tasks = e.drops.map((d) => d.task)
  const values = e.drops.flatMap((d) => [
    { task: d.task, when: 'own stage', value: d.own_acc },
    { task: d.task, when: 'final', value: d.final_acc },
  ])
  return {
    title: {
      text: `${e.experiment}: accuracy right after its own stage vs after the last stage`,
      anchor: 'start',
    },
    data: { values },
    width: { step: 52 },
    height: 160,
    mark: 'bar',
    encoding: {
      x: { field: 'task', type: 'nominal', sort: tasks, title: 'task', axis: { labelAngle: -35 } },
      xOffset: { field: 'when', type: 'nominal', sort: ['own stage', 'final'] },
      y: { field: 'value', type: 'quantitative', title: 'accuracy (%)', scale: { domain: [0, 100] } },
      color: {
        field: 'when',
        type: 'nominal',
        sort: ['own stage', 'final'],
        title: null,
        scale: { range: ['#4c78a8', '#e45756'] },
      },
    },
  }
}

function emptyChart() {
  return {
    data: { values: [{ text: 'No experiments in the results database yet.' }] },
    mark: { type: 'text', align: 'left' },
    encoding: { text: { field: 'text' } },
  }
}
