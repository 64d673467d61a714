/**
 * `forgetting.html`: one self-contained, interactive page. vega and vega-lite are inlined (no
 * network: a Content-Security-Policy forbids every fetch), and so is the data of every run in the
 * database; a selector switches between runs. Per run: who produced it (run, git, Coinfile,
 * overrides, every param), the metrics table, the cross-method curve of seen-task accuracy and
 * one heatmap per experiment, with n and unparsable outputs in each cell's tooltip.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { formatFixed } from '../../src/results/index.ts'
import { experimentTitle, METRIC_COLUMNS, overridesText, runSummary } from './labels.ts'
import type { ForgettingData } from './report-data.ts'
import { heatmap, seenTaskChart } from './svg.ts'

/** What the page's script gets per run: the text it shows and the vega-lite specs it draws. */
interface PageRun {
  run_id: string
  label: string
  summary: string
  overrides: string
  params: [string, string][]
  metrics: { experiment: string; title: string; kind: string; values: Record<string, string> }[]
  charts: { id: string; spec: unknown }[]
}

export function renderHtml(runs: ForgettingData[]): string {
  const pages: PageRun[] = runs
    .filter((data): data is ForgettingData & { run: NonNullable<ForgettingData['run']> } => data.run !== null)
    .map((data) => {
      const curves = seenTaskChart(data.experiments)
      return {
        run_id: data.run.run_id,
        label: shorten(
          `${data.run.run_id} · ${data.run.started_at?.replace('T', ' ').slice(0, 16) ?? ''} · ${
            data.run.overrides.join(' ') || 'defaults'
          }`,
          90,
        ),
        summary: runSummary(data.run),
        overrides: overridesText(data.run),
        params: Object.entries(data.run.params).map(([k, v]) => [
          k,
          typeof v === 'string' ? v : JSON.stringify(v),
        ]),
        metrics: data.experiments.map((e) => ({
          experiment: e.experiment,
          title: experimentTitle(e),
          kind: e.kind,
          values: Object.fromEntries(
            METRIC_COLUMNS.map((c) => [c.key, formatFixed(e.metrics[c.key] as number | null)]),
          ),
        })),
        charts: [
          ...(curves ? [{ id: 'curves', spec: standalone(curves) }] : []),
          ...(data.training?.length
            ? [{ id: 'training', spec: standalone(trainingChart(data.training)) }]
            : []),
          ...data.experiments.map((e, i) => ({ id: `heatmap-${i}`, spec: standalone(heatmap(e)) })),
        ],
      }
    })
  const columns = METRIC_COLUMNS.map((c) => ({ key: c.key, title: c.title, meaning: c.meaning }))
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:">
<title>Forgetting report</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Forgetting report</h1>
<p><label for="run">Run </label><select id="run"></select> <span id="run-count"></span></p>
<p id="summary"></p>
<p>Overrides: <code id="overrides"></code></p>
<details><summary>All params</summary><table id="params"><thead><tr><th>param</th><th>value</th></tr></thead><tbody></tbody></table></details>
<h2>Metrics</h2>
<table id="metrics"></table>
<h2>Accuracy</h2>
<div id="charts"></div>
<script type="application/json" id="coin-data">${scriptJson({ runs: pages, columns })}</script>
<script>${inlineScript('vega', 'vega.min.js')}</script>
<script>${inlineScript('vega-lite', 'vega-lite.min.js')}</script>
<script>${APP}</script>
</body>
</html>
`
}

/** Training loss of one target at a time, chosen from a drop-down (the learners' `train_log`). */
function trainingChart(points: NonNullable<ForgettingData['training']>) {
  const targets = [...new Set(points.map((p) => p.target))]
  return {
    title: { text: 'Training loss (train_log)', anchor: 'start' },
    data: { values: points },
    width: 420,
    height: 180,
    params: [
      {
        name: 'target',
        value: targets[targets.length - 1],
        bind: { input: 'select', options: targets, name: 'target ' },
      },
    ],
    transform: [{ filter: 'datum.target === target' }],
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'step' },
      y: { field: 'loss', type: 'quantitative', title: 'loss (window mean)' },
      tooltip: [{ field: 'step' }, { field: 'loss', format: '.4f' }, { field: 'lr' }],
    },
  }
}

/** The selector's options stay readable; the full overrides are shown under it. */
function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}

/** A vega-lite unit or layer spec on its own page: the schema and the report's look. */
function standalone(spec: object): object {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: 'white',
    padding: 8,
    config: { font: 'sans-serif', view: { stroke: null }, axis: { labelLimit: 160 } },
    ...spec,
  }
}

const require = createRequire(import.meta.url)

/**
 * A library's minified browser build, without its source-map comment (which would make devtools
 * fetch). The packages do not export their build files, so the path is found next to their entry.
 */
function inlineScript(pkg: string, file: string): string {
  const path = join(dirname(require.resolve(pkg)), file)
  const text = readFileSync(path, 'utf8').replace(/\/\/# sourceMappingURL=\S+\s*$/, '')
  return text.replaceAll('</script', '<\\/script')
}

/** JSON that cannot end the <script> element it sits in. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replaceAll('<', '\\u003c')
}

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #222; }
table { border-collapse: collapse; margin: 8px 0 16px; }
th, td { padding: 3px 10px; border-bottom: 1px solid #ddd; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
th { text-align: left; }
code { background: #f3f3f3; padding: 1px 4px; }
#charts > div { margin: 8px 0 20px; }
`

/** The page's script: fills the selector, then renders the chosen run (the URL hash remembers it). */
const APP = `
(function () {
  var data = JSON.parse(document.getElementById('coin-data').textContent);
  var select = document.getElementById('run');
  var views = [];
  function text(id, value) { document.getElementById(id).textContent = value; }
  function cell(tag, value, cls) {
    var el = document.createElement(tag);
    el.textContent = value;
    if (cls) el.className = cls;
    return el;
  }
  data.runs.forEach(function (run, i) {
    var option = cell('option', run.label);
    option.value = String(i);
    select.appendChild(option);
  });
  text('run-count', data.runs.length + ' run(s) in the database');
  function show(index) {
    var run = data.runs[index];
    document.body.removeAttribute('data-ready');
    select.value = String(index);
    text('summary', run.summary);
    text('overrides', run.overrides);
    var params = document.querySelector('#params tbody');
    params.replaceChildren();
    run.params.forEach(function (p) {
      var tr = document.createElement('tr');
      tr.appendChild(cell('td', p[0]));
      tr.appendChild(cell('td', p[1]));
      params.appendChild(tr);
    });
    var table = document.getElementById('metrics');
    table.replaceChildren();
    var head = document.createElement('tr');
    head.appendChild(cell('th', 'experiment'));
    data.columns.forEach(function (c) { var th = cell('th', c.title); th.title = c.meaning; head.appendChild(th); });
    table.appendChild(head);
    run.metrics.forEach(function (m) {
      var tr = document.createElement('tr');
      tr.appendChild(cell('td', m.title));
      data.columns.forEach(function (c) {
        var td = cell('td', m.values[c.key], 'num');
        td.dataset.experiment = m.experiment;
        td.dataset.metric = c.key;
        tr.appendChild(td);
      });
      table.appendChild(tr);
    });
    views.forEach(function (v) { v.finalize(); });
    views = [];
    var charts = document.getElementById('charts');
    charts.replaceChildren();
    Promise.all(run.charts.map(function (chart) {
      var div = document.createElement('div');
      div.id = chart.id;
      charts.appendChild(div);
      var view = new vega.View(vega.parse(vegaLite.compile(chart.spec).spec), { renderer: 'svg', container: div, hover: true });
      views.push(view);
      return view.runAsync();
    })).then(function () {
      document.body.dataset.ready = run.run_id;
    });
    if (location.hash.slice(1) !== run.run_id) history.replaceState(null, '', '#' + run.run_id);
  }
  select.addEventListener('change', function () { show(Number(select.value)); });
  var fromHash = data.runs.findIndex(function (r) { return r.run_id === location.hash.slice(1); });
  if (data.runs.length) show(fromHash >= 0 ? fromHash : data.runs.length - 1);
  else document.body.dataset.ready = 'none';
})();
`
