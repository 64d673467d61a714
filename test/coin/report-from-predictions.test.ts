/**
 * results/forgetting from fixture predictions (no learner): CoIN-format test files and merge.jsonl
 * predictions → score targets → the report target → DuckDB rows and rendered files.
 */

import { readFileSync } from 'node:fs'
import AjvModule from 'ajv'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { queryResults } from '../../src/results/index.ts'
import { repoRoot, TempProject } from '../helpers/project.ts'
import { COINFILE, files } from './predictions-fixture.ts'

const Ajv = AjvModule.default ?? AjvModule
const validateEvent = new Ajv({ allErrors: true }).compile(
  JSON.parse(readFileSync(`${repoRoot}/schema/events.schema.json`, 'utf8')),
)
const RUN_REPORTS = ['md', 'csv', 'tex', 'svg', 'html'].map((f) => `results/forgetting.${f}`)

test('fixture predictions → scores → DuckDB → md/csv/tex/svg', async () => {
  const p = new TempProject({ 'Coinfile.ts': COINFILE, ...files })
  const r = p.build('results/forgetting')
  assert.is(r.code, 0, r.stderr)
  // The recorded run is announced as a documented --json event.
  const run = (r.events as unknown as { event: string }[]).find((e) => e.event === 'run')
  assert.equal(run, {
    event: 'run',
    run_id: 'r1',
    database: p.path('results/coin.duckdb'),
    reports: RUN_REPORTS,
  })
  assert.ok(validateEvent(run), JSON.stringify(validateEvent.errors))
  const db = p.path('results/coin.duckdb')
  const rows = await queryResults(
    db,
    'select stage, eval_task, value, n, parse_failures, checkpoint from scores order by stage, eval_task',
  )
  assert.equal(rows, [
    { stage: 1, eval_task: 'scienceqa', value: 100, n: 2, parse_failures: 0, checkpoint: 'ckpt-1-scienceqa' },
    { stage: 2, eval_task: 'scienceqa', value: 50, n: 2, parse_failures: 1, checkpoint: 'ckpt-2-vqav2' },
    { stage: 2, eval_task: 'vqav2', value: 100, n: 2, parse_failures: 0, checkpoint: 'ckpt-2-vqav2' },
  ])
  const [m] = await queryResults(db, "select acc, bwt, forgetting from metrics where experiment = 'lora'")
  assert.equal(m, { acc: 75, bwt: -50, forgetting: 50 })
  assert.match(p.read('results/forgetting.md'), '| 2 · vqav2 | 50.00 [1/2 unparsable] | 100.00 |')
  assert.match(p.read('results/forgetting.tex'), '\\toprule')
  assert.match(p.read('results/forgetting.svg'), '<svg')
  assert.match(p.read('results/forgetting.csv'), 'lora')
  assert.match(p.read('results/forgetting.html'), '<select id="run">')
  // A scorer change (strict variant) reruns scoring and the report, never inference.
  p.write({ 'Coinfile.ts': COINFILE.replace("variant: 'coin'", "variant: 'strict'") })
  const again = p.build('results/forgetting')
  assert.is(again.outcomes['eval/lora/2-vqav2/vqav2'], 'ran')
  const counts = await queryResults(db, 'select count(*) as n from scores')
  assert.equal(counts, [{ n: 3 }])
  p.remove()
})

test.run()
