/**
 * A results project without a learner: CoIN-format test files, merge.jsonl predictions, score
 * targets and the report target. Shared by the report and the runs end-to-end tests.
 */
export const tests = {
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
export const pred = (id: string | number, text: string) =>
  JSON.stringify({ question_id: id, prompt: '', text, answer_id: 'x', model_id: 'm', metadata: {} })
// After stage 1 (scienceqa): scienceqa 100%. After stage 2 (vqav2): scienceqa 50% (one unparsable), vqav2 100%.
export const files: Record<string, string> = {
  'data/scienceqa/test.json': JSON.stringify(tests.scienceqa),
  'data/vqav2/test.json': JSON.stringify(tests.vqav2),
  'preds/1-scienceqa/scienceqa/merge.jsonl': `${pred('q1', 'A')}\n${pred('q2', 'B. dog')}\n`,
  'preds/2-vqav2/scienceqa/merge.jsonl': `${pred('q1', 'A')}\n${pred('q2', 'unsure')}\n`,
  'preds/2-vqav2/vqav2/merge.jsonl': `${pred(1, '2')}\n${pred(2, 'Yes')}\n`,
}
for (const p of Object.keys(files).filter((f) => f.endsWith('merge.jsonl')))
  files[p.replace('merge.jsonl', 'meta.json')] = JSON.stringify({ checkpoint: `ckpt-${p.split('/')[1]}` })

export const COINFILE = `
import { defineCoinfile, dir, output } from 'coin'
import { forgettingReport, scoreTaskRule } from 'coin/rules'

const cells = [
  { stage: 1, stage_task: 'scienceqa', eval_task: 'scienceqa' },
  { stage: 2, stage_task: 'vqav2', eval_task: 'scienceqa' },
  { stage: 2, stage_task: 'vqav2', eval_task: 'vqav2' },
]
export default defineCoinfile({
  params: { preds: 'preds' },
  targets: (p) => {
    const t = cells.map((c) =>
      scoreTaskRule(\`eval/lora/\${c.stage}-\${c.stage_task}/\${c.eval_task}\`, {
        inputs: { predictions: dir(\`\${p.preds}/\${c.stage}-\${c.stage_task}/\${c.eval_task}\`), data: dir(\`data/\${c.eval_task}\`) },
        params: { task: c.eval_task, variant: 'coin' },
      }),
    )
    t.push(
      forgettingReport('results/forgetting', {
        inputs: Object.fromEntries(cells.map((c, i) => ['c' + i, output(\`eval/lora/\${c.stage}-\${c.stage_task}/\${c.eval_task}\`)])),
        params: {
          experiments: [{ experiment: 'lora', method: 'lora', order_name: 'coin', tasks: ['scienceqa', 'vqav2'], kind: 'sequential' }],
          cells: cells.map((c, i) => ({ ...c, input: 'c' + i, target: 'eval', params: {}, experiment: 'lora', method: 'lora', order_name: 'coin' })),
          formats: ['md', 'csv', 'tex', 'svg', 'html'],
        },
      }),
    )
    return t
  },
})
`
