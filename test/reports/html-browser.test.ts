/**
 * results/forgetting.html in a real headless Chromium: it loads from a file with no console
 * error and no network request, shows the metrics DuckDB computes for the run it names, draws
 * the charts, and its selector switches to an earlier run and shows that run's numbers.
 */
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { renderForgettingReport } from '../../rules/reports/index.ts'
import { formatFixed, queryResults, recordRun } from '../../src/results/index.ts'
import { browserAvailable, launchChromium } from '../helpers/browser.ts'
import { experiment, FULL, JOINT, merge, TASKS, tempDir } from '../results/matrix-fixture.ts'

const METRICS = ['acc', 'bwt', 'bwt_trace', 'fwt', 'forgetting', 'maa'] as const

async function expected(db: string, run: string): Promise<Record<string, string>> {
  const rows = await queryResults(db, `SELECT * FROM run_metrics WHERE run_id = '${run}'`)
  const out: Record<string, string> = {}
  for (const row of rows)
    for (const m of METRICS) out[`${row.experiment}/${m}`] = formatFixed(row[m] as number | null)
  return out
}

test('forgetting.html: loads offline without errors, numbers match DuckDB, the run selector works', async () => {
  if (!browserAvailable()) return
  const dir = tempDir('coin-html-')
  const db = join(dir, 'coin.duckdb')
  const first = merge(
    experiment('lora', 'sequential', TASKS, FULL),
    experiment('joint', 'multitask', TASKS, JOINT),
  )
  const curve = [25, 50, 75].map((step) => ({
    key: 'kt',
    target: 'train/lora/3',
    step,
    loss: 3 - step / 50,
    lr: 0.01,
    epoch: null,
  }))
  await recordRun(
    db,
    { ...first, train_log: curve, run_targets: [{ target: 'train/lora/3', key: 'kt', outcome: 'ran' }] },
    { params: { lr: 0.01 }, overrides: [] },
  )
  const second = experiment('lora', 'sequential', TASKS, { ...FULL, 3: [20, 30, 95] })
  for (const s of second.scores) s.key = `${s.key}-lr`
  await recordRun(db, merge(second, experiment('joint', 'multitask', TASKS, JOINT)), {
    params: { lr: 0.001 },
    overrides: ['lr=0.001'],
  })
  const [html] = await renderForgettingReport(db, dir, { formats: ['html'] })

  const browser = await launchChromium()
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } })
    const problems: string[] = []
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`)
    })
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
    page.on('request', (r) => {
      if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) problems.push(`request: ${r.url()}`)
    })
    await page.goto(pathToFileURL(html as string).href)
    await page.waitForSelector('body[data-ready="r2"]', { timeout: 30_000 })

    const cells = async () =>
      Object.fromEntries(
        await page.$$eval('#metrics td[data-metric]', (tds) =>
          tds.map((td) => [
            `${td.getAttribute('data-experiment')}/${td.getAttribute('data-metric')}`,
            td.textContent,
          ]),
        ),
      )
    assert.equal(await cells(), await expected(db, 'r2'))
    assert.match((await page.textContent('#summary')) ?? '', /^run r2/)
    assert.is(await page.textContent('#overrides'), '--set lr=0.001')
    // The cross-method curve and one heatmap per experiment, drawn as SVG by vega.
    assert.is(await page.locator('#charts svg').count(), 3)
    assert.is(await page.locator('#training').count(), 0, 'run r2 logged no training')
    assert.ok((await page.locator('#curves svg path').count()) > 0, 'the curve has lines')
    assert.equal(await page.$$eval('#run option', (os) => os.map((o) => o.textContent?.split(' · ')[0])), [
      'r1',
      'r2',
    ])

    await page.selectOption('#run', '0')
    await page.waitForSelector('body[data-ready="r1"]', { timeout: 30_000 })
    assert.equal(await cells(), await expected(db, 'r1'))
    // r1 kept a training curve: a chart with a target picker bound to it.
    assert.is(await page.locator('#training svg').count(), 1)
    assert.equal(await page.$$eval('#training select option', (os) => os.map((o) => o.textContent)), [
      'train/lora/3',
    ])
    assert.is.not((await cells())['lora/acc'], (await expected(db, 'r2'))['lora/acc'], 'the runs differ')
    assert.ok(page.url().endsWith('#r1'), 'the URL names the run shown')
    if (process.env.COIN_SCREENSHOT)
      await page.screenshot({ path: process.env.COIN_SCREENSHOT, fullPage: true })
    assert.equal(problems, [])
  } finally {
    await browser.close()
  }
})

test.run()
