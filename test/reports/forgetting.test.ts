import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { renderForgettingReport } from '../../rules/reports/index.ts'
import { renumberDefIds } from '../../rules/reports/svg.ts'
import { UserError } from '../../src/errors.ts'
import { parseCsv, recordRun, withDatabase } from '../../src/results/index.ts'
import { experiment, FULL, merge, smallResults, TASKS, tempDir } from '../results/matrix-fixture.ts'

const ALL = ['md', 'csv', 'tex', 'svg'] as const

/** The shared fixture plus a sequential run with gaps, so "–" has something to mark. */
async function fixtureDb(): Promise<string> {
  const db = join(tempDir('coin-report-'), 'coin.duckdb')
  const partial = experiment('lora-partial', 'sequential', TASKS, { 1: [80], 2: [null, 70], 3: [50, 40, 90] })
  await recordRun(db, merge(smallResults(), partial))
  return db
}

async function render(
  db: string,
  formats: (typeof ALL)[number][] = [...ALL],
): Promise<Record<string, string>> {
  const out = join(tempDir('coin-report-out-'), 'results')
  const written = await renderForgettingReport(db, out, { formats })
  return Object.fromEntries(
    written.map((path) => [path.slice(path.lastIndexOf('.') + 1), readFileSync(path, 'utf8')]),
  )
}

test('forgetting.md: a labelled matrix per experiment, then metrics across experiments', async () => {
  const { md = '' } = await render(await fixtureDb(), ['md'])
  const lines = md.split('\n')
  const has = (line: string) => assert.ok(lines.includes(line), `missing line: ${line}`)
  has('## lora')
  has('| after stage | science_qa | text_vqa | imagenet |')
  has('|:---|---:|---:|---:|')
  has('| 0 · zero-shot | 30.00 | 20.00 | 10.00 |')
  has('| 1 · science_qa | 80.00 | 75.00 | 12.00 |')
  has('| 3 · imagenet | 50.00 | 40.00 | 90.00 |')
  has('| science_qa | 80.00 | 50.00 | 30.00 |')
  // Missing cells and NULL metrics are "–"; the joint bound has one row at stage T.
  has('| 1 · science_qa | 80.00 | – | – |')
  has('| 2 · text_vqa | – | 70.00 | – |')
  has('| 3 · multitask | 52.00 | 48.00 | 91.00 |')
  has('| experiment | method | order | kind | T | ACC | BWT | BWT/T | FWT | Forgetting | MAA |')
  has('| lora | lora | original | sequential | 3 | 60.00 | -30.00 | -20.00 | 30.00 | 32.50 | 72.50 |')
  has('| lora-partial | lora | original | sequential | 3 | 60.00 | -30.00 | -20.00 | – | – | – |')
  has('| joint | joint | original | multitask | 3 | 63.67 | – | – | – | – | – |')
  has('| base | base | original | zeroshot | 3 | 20.00 | – | – | – | – | – |')
  // Matrices come before the metrics table, sequential experiments before the bounds.
  const order = ['## lora', '## lora-partial', '## joint', '## base', '## Metrics'].map((h) =>
    lines.indexOf(h),
  )
  assert.equal(
    order,
    [...order].sort((a, b) => a - b),
  )
  assert.not.ok(order.includes(-1))
})

test('forgetting.csv: long form with the metrics and the evaluated cells', async () => {
  const { csv = '' } = await render(await fixtureDb(), ['csv'])
  const parsed = parseCsv(csv)
  assert.equal(parsed.header, [
    'experiment',
    'kind',
    'metric',
    'stage',
    'stage_task',
    'eval_task',
    'value',
    'n',
    'parse_failures',
  ])
  const lines = csv.split('\n')
  for (const line of [
    'lora,sequential,acc,,,,60,,',
    'lora,sequential,bwt,,,,-30,,',
    'lora,sequential,forgetting,,,,32.5,,',
    'joint,multitask,acc,,,,63.666667,,',
    'joint,multitask,bwt,,,,,,',
    'lora,sequential,accuracy,0,zeroshot,science_qa,30,100,0',
    'lora,sequential,accuracy,1,science_qa,text_vqa,75,100,0',
    'joint,multitask,accuracy,3,multitask,imagenet,91,100,0',
  ]) {
    assert.ok(lines.includes(line), `missing line: ${line}`)
  }
  const cells = parsed.records.filter((r) => r.fields[2] === 'accuracy')
  assert.is(cells.length, 12 + 3 + 3 + 5, 'one line per evaluated cell, none for gaps')
  assert.is(parsed.records.length - cells.length, 4 * 6, 'six metrics per experiment')
})

test('forgetting.tex: booktabs tables with escaped names and real minus signs', async () => {
  const { tex = '' } = await render(await fixtureDb(), ['tex'])
  for (const command of [
    '\\toprule',
    '\\midrule',
    '\\bottomrule',
    '\\begin{tabular}{lrrrrrrr}',
    '\\label{tab:forgetting-metrics}',
  ]) {
    assert.ok(tex.includes(command), `missing ${command}`)
  }
  assert.ok(tex.includes('After stage & science\\_qa & text\\_vqa & imagenet \\\\'))
  assert.ok(tex.includes('    lora & 3 & 60.00 & $-$30.00 & $-$20.00 & 30.00 & 32.50 & 72.50 \\\\'))
  assert.ok(tex.includes('    joint (multitask) & 3 & 63.67 & -- & -- & -- & -- & -- \\\\'))
  assert.ok(tex.includes('1 $\\cdot$ science\\_qa & 80.00 & 75.00 & 12.00 \\\\'))
  assert.not.ok(/[^\\]_/.test(tex.replace(/\\label\{[^}]*\}/g, '')), 'every underscore is escaped')
  assert.is(tex.split('\\begin{table}').length - 1, 5, 'the metrics table plus one matrix per experiment')
  assert.is(tex.split('\\toprule').length, tex.split('\\bottomrule').length)
})

test('headers name the run and its params; LaTeX labels and names are never duplicated', async () => {
  const db = join(tempDir('coin-report-'), 'coin.duckdb')
  const failing = experiment('lora_swap', 'sequential', TASKS, FULL)
  for (const score of failing.scores)
    if (score.stage === 3 && score.eval_task === 'text_vqa') score.parse_failures = 7
  await recordRun(
    db,
    merge(
      failing,
      experiment('lora-swap', 'sequential', TASKS, FULL),
      experiment('multitask', 'multitask', TASKS, { 3: [1, 2, 3] }),
    ),
    {
      params: { stages: { vqav2: { lr: 0.001 } } },
      overrides: ['stages.vqav2.lr=0.001'],
      git_rev: 'abcdef0123456789',
      git_dirty: false,
    },
  )
  const { md = '', tex = '' } = await render(db, ['md', 'tex'])
  assert.match(md, /^run r1, git abcdef0123\./m)
  assert.match(md, 'Overrides: --set stages.vqav2.lr=0.001.')
  assert.match(md, '| stages.vqav2.lr | 0.001 |')
  assert.match(md, '| 3 · imagenet | 50.00 | 40.00 [7/100 unparsable] | 90.00 |')
  assert.match(md, '## Average accuracy on the tasks seen so far')
  assert.match(tex, '% run r1, git abcdef0123')
  assert.match(tex, '% param stages.vqav2.lr = 0.001')
  assert.match(tex, '40.00$^{\\dagger}$')
  const labels = [...tex.matchAll(/\\label\{([^}]+)\}/g)].map((m) => m[1])
  assert.is(new Set(labels).size, labels.length, labels.join(' '))
  assert.ok(labels.includes('tab:forgetting-matrix-lora-swap-2'))
  assert.not.match(tex, 'multitask (multitask)')
})

test('forgetting.svg: one SVG with the heatmaps and the own-vs-final bars', async () => {
  const { svg = '' } = await render(await fixtureDb(), ['svg'])
  assert.ok(svg.startsWith('<svg'), 'a standalone SVG document')
  assert.is(svg.split('<svg').length - 1, 1, 'a single SVG')
  for (const label of [
    'lora: accuracy after each stage',
    'joint (multitask): accuracy after each stage',
    'Average accuracy on the tasks seen so far, after each stage',
    'lora: accuracy right after its own stage vs after the last stage',
    'science_qa',
    '1 · science_qa',
    'own stage',
    'final',
    '90.00',
  ]) {
    assert.ok(svg.includes(label), `missing label: ${label}`)
  }
})

test('the same database renders the same bytes', async () => {
  const db = await fixtureDb()
  const first = await render(db)
  const second = await render(db)
  assert.equal(Object.keys(first).sort(), [...ALL].sort())
  for (const format of ALL) assert.ok(first[format] === second[format], `${format} differs between renders`)
})

test('only the requested formats are written; an unknown one is refused', async () => {
  const db = await fixtureDb()
  const out = tempDir('coin-report-out-')
  const written = await renderForgettingReport(db, out, { formats: ['tex', 'md'] })
  assert.equal(written, [join(out, 'forgetting.md'), join(out, 'forgetting.tex')])
  assert.equal(readdirSync(out).sort(), ['forgetting.md', 'forgetting.tex'])
  try {
    await renderForgettingReport(db, out, { formats: ['pdf' as 'md'] })
    assert.unreachable('pdf is not a format')
  } catch (error) {
    assert.instance(error, UserError)
  }
})

test('a missing database is a UserError; an empty one renders an empty report', async () => {
  const dir = tempDir('coin-report-')
  try {
    await renderForgettingReport(join(dir, 'coin.duckdb'), dir, { formats: ['md'] })
    assert.unreachable('no database')
  } catch (error) {
    assert.instance(error, UserError)
    assert.match((error as UserError).diagnostic.fix ?? '', /coin build results\/forgetting/)
  }
  assert.not.ok(existsSync(join(dir, 'forgetting.md')))
  const db = join(dir, 'coin.duckdb')
  await recordRun(db, { scores: [], experiments: [] })
  const files = await render(db)
  assert.match(files.md ?? '', /No experiments in the results database yet/)
  assert.ok(files.svg?.startsWith('<svg'))
})

test('a DuckDB file coin never wrote is refused with the fix', async () => {
  const db = join(tempDir('coin-report-'), 'other.duckdb')
  await withDatabase(db, {}, (con) => con.run('CREATE TABLE t (x INTEGER)'))
  try {
    await renderForgettingReport(db, tempDir(), { formats: ['md'] })
    assert.unreachable('not a results database')
  } catch (error) {
    assert.instance(error, UserError)
    assert.match((error as UserError).message, /not a coin results database/)
  }
})

test('a sequential experiment without a zero-shot row shows stages 1..T only, gaps included', async () => {
  const db = join(tempDir('coin-report-'), 'coin.duckdb')
  await recordRun(db, experiment('lora', 'sequential', TASKS, { 1: FULL[1] ?? [], 3: FULL[3] ?? [] }))
  const { md = '' } = await render(db, ['md'])
  assert.not.ok(md.includes('zero-shot |'))
  assert.ok(md.includes('| 2 · text_vqa | – | – | – |'), 'the never-evaluated stage 2 is a row of gaps')
})

test('SVG def ids are renumbered in order of appearance; labels that look like ids are kept', () => {
  const svg =
    '<path fill="url(#gradient_7)"/><g clip-path="url(#clip4)"><text>clip2</text></g>' +
    '<defs><linearGradient id="gradient_7"/><clipPath id="clip4"/></defs>'
  assert.is(
    renumberDefIds(svg),
    '<path fill="url(#gradient_0)"/><g clip-path="url(#clip0)"><text>clip2</text></g>' +
      '<defs><linearGradient id="gradient_0"/><clipPath id="clip0"/></defs>',
  )
})

test.run()
