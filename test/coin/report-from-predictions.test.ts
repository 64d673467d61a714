/**
 * results/forgetting from fixture predictions (no learner): CoIN-format test files and merge.jsonl
 * predictions → score targets → the report target → DuckDB rows and rendered files.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { queryResults } from '../../src/results/index.ts'
import { TempProject } from '../helpers/project.ts'

const tests = {
  vqav2: [
    {
      question_id: 1,
      image: 'a.jpg',
      text: 'How many cats?\nAnswer the question using a single word or phrase.',
      answer: '2',
    },
    {
      question_id: 2,
      image: 'b.jpg',
      text: 'Is it red?\nAnswer the question using a single word or phrase.',
      answer: 'yes',
    },
  ],
  scienceqa: [
    {
      question_id: 'q1',
      image: 'c.jpg',
      text: "Which?\nA. red\nB. blue\nAnswer with the option's letter from the given choices directly.",
      answer: 'A',
    },
    {
      question_id: 'q2',
      image: 'd.jpg',
      text: "Which?\nA. cat\nB. dog\nAnswer with the option's letter from the given choices directly.",
      answer: 'B',
    },
  ],
}
const pred = (id: string | number, text: string) =>
  JSON.stringify({ question_id: id, prompt: '', text, answer_id: 'x', model_id: 'm', metadata: {} })
// After stage 1 (scienceqa): scienceqa 100%. After stage 2 (vqav2): scienceqa 50% (one unparsable), vqav2 100%.
const files: Record<string, string> = {
  'data/scienceqa/test.json': JSON.stringify(tests.scienceqa),
  'data/vqav2/test.json': JSON.stringify(tests.vqav2),
  'preds/1-scienceqa/scienceqa/merge.jsonl': `${pred('q1', 'A')}\n${pred('q2', 'B. dog')}\n`,
  'preds/2-vqav2/scienceqa/merge.jsonl': `${pred('q1', 'A')}\n${pred('q2', 'unsure')}\n`,
  'preds/2-vqav2/vqav2/merge.jsonl': `${pred(1, '2')}\n${pred(2, 'Yes')}\n`,
}
for (const p of Object.keys(files).filter((f) => f.endsWith('merge.jsonl')))
  files[p.replace('merge.jsonl', 'meta.json')] = JSON.stringify({ checkpoint: `ckpt-${p.split('/')[1]}` })

const COINFILE = `
import { defineCoinfile, dir, output } from 'coin'
import { forgettingReport, scoreTaskRule } from 'coin/rules'

const cells = [
  { stage: 1, stage_task: 'scienceqa', eval_task: 'scienceqa' },
  { stage: 2, stage_task: 'vqav2', eval_task: 'scienceqa' },
  { stage: 2, stage_task: 'vqav2', eval_task: 'vqav2' },
]
export default defineCoinfile({
  targets: () => {
    const t = cells.map((c) =>
      scoreTaskRule(\`eval/lora/\${c.stage}-\${c.stage_task}/\${c.eval_task}\`, {
        inputs: { predictions: dir(\`preds/\${c.stage}-\${c.stage_task}/\${c.eval_task}\`), data: dir(\`data/\${c.eval_task}\`) },
        params: { task: c.eval_task, variant: 'coin' },
      }),
    )
    t.push(
      forgettingReport('results/forgetting', {
        inputs: Object.fromEntries(cells.map((c, i) => ['c' + i, output(\`eval/lora/\${c.stage}-\${c.stage_task}/\${c.eval_task}\`)])),
        params: {
          experiments: [{ experiment: 'lora', method: 'lora', order_name: 'coin', tasks: ['scienceqa', 'vqav2'], kind: 'sequential' }],
          cells: cells.map((c, i) => ({ ...c, input: 'c' + i, target: 'eval', params: {}, experiment: 'lora', method: 'lora', order_name: 'coin' })),
          formats: ['md', 'csv', 'tex', 'svg'],
        },
        publish: 'results',
      }),
    )
    return t
  },
})
`

test('fixture predictions → scores → DuckDB → md/csv/tex/svg', async () => {
  const p = new TempProject({ 'Coinfile.ts': COINFILE, ...files })
  const r = p.build('results/forgetting')
  assert.is(r.code, 0, r.stderr)
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
  assert.match(p.read('results/forgetting.md'), '| 2 · vqav2 | 50.00 | 100.00 |')
  assert.match(p.read('results/forgetting.tex'), '\\toprule')
  assert.match(p.read('results/forgetting.svg'), '<svg')
  assert.match(p.read('results/forgetting.csv'), 'lora')
  // A scorer change (strict variant) reruns scoring and the report, never inference.
  p.write({ 'Coinfile.ts': COINFILE.replace("variant: 'coin'", "variant: 'strict'") })
  const again = p.build('results/forgetting')
  assert.is(again.outcomes['eval/lora/2-vqav2/vqav2'], 'ran')
  const counts = await queryResults(db, 'select count(*) as n from scores')
  assert.equal(counts, [{ n: 3 }])
  p.remove()
})

test.run()
