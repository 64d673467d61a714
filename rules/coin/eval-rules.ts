/**
 * Evaluation is two targets, so a scorer change never re-runs inference (DESIGN.md):
 * `predict/...` runs the model on a task's test set and writes CoIN's prediction format
 * (`merge.jsonl`), `eval/...` scores it with the task's CoIN rule (DOMAIN.md §1.6).
 */
import { createHash } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { rule } from '../../src/config/define.ts'
import { goldRecords, loadPredictionsFile, type TestRecord } from '../datasets/index.ts'
import { predict, readCheckpoint } from '../learner/index.ts'
import { formatResultText, scoreTask, type Variant } from '../scoring/index.ts'
import { readJson, readTask, TEST_FILE, testExamples, writeJson } from './files.ts'

export const PREDICTIONS_FILE = 'merge.jsonl'
export const SCORE_FILE = 'score.json'

export const predictTask = rule<{ task: string; threads: number }>({
  name: 'predict',
  params: { task: '', threads: 1 },
  async run({ inputs, params, out }) {
    const modelDir = inputs.model as string
    const [ckpt, task, weights] = await Promise.all([
      readCheckpoint(modelDir),
      readTask(inputs.data as string),
      readFile(join(modelDir, 'weights.bin')),
    ])
    const answers = await predict(ckpt, testExamples(task.test, task.scenes), { threads: params.threads })
    const lines = task.test.map((r, i) =>
      JSON.stringify({
        question_id: r.question_id,
        prompt: r.text,
        text: answers[i],
        answer_id: `${params.task}-${i}`,
        model_id: 'coin-embedded',
        metadata: {},
      }),
    )
    await writeFile(join(out, PREDICTIONS_FILE), `${lines.join('\n')}\n`)
    // Provenance: which checkpoint bytes produced these predictions.
    const checkpoint = createHash('sha256').update(weights).digest('hex').slice(0, 32)
    await writeJson(join(out, 'meta.json'), { task: params.task, checkpoint, n: lines.length })
  },
})

export interface ScoreFile {
  task: string
  variant: Variant
  metric: string
  value: number
  n: number
  correct: number
  parse_failures: number
  missing: number
  /** What `n` counts, and what the prediction file hid (DOMAIN.md §1.6; see ScoreResult). */
  denominator: string
  duplicates: number
  unmatched: number
  warnings: string[]
  checkpoint: string
  /** The scoring target's cache key. */
  key: string
}

/**
 * Scores `merge.jsonl` (+ `meta.json`) of the `predictions` input; `folder` names a sub-folder when
 * one prediction target answered several tasks (scripts/predict.py --eval TASK=FILE).
 */
export const scoreTaskRule = rule<{ task: string; variant: Variant; folder?: string }>({
  name: 'score',
  params: { task: '', variant: 'coin', folder: '' },
  async run({ inputs, params, out, key, log }) {
    const tests = await readJson<TestRecord[]>(join(inputs.data as string, TEST_FILE))
    const predictions = join(inputs.predictions as string, params.folder ?? '')
    const preds = await loadPredictionsFile(join(predictions, PREDICTIONS_FILE))
    const meta = await readJson<{ checkpoint: string }>(join(predictions, 'meta.json'))
    // TextVQA's 10 answers / ScienceQA's problems.json, when the Coinfile gives them.
    const annotations = inputs.annotations as string | undefined
    const gold = await goldRecords(params.task, tests, annotations)
    const r = scoreTask(params.task, gold, preds, params.variant)
    for (const w of r.warnings) log(`warning: ${w}`)
    const score: ScoreFile = {
      task: params.task,
      variant: params.variant,
      metric: r.metric,
      value: r.value,
      n: r.n,
      correct: r.correct,
      parse_failures: r.parse_failures,
      missing: r.missing,
      denominator: r.denominator,
      duplicates: r.duplicates,
      unmatched: r.unmatched,
      warnings: r.warnings,
      checkpoint: meta.checkpoint,
      key,
    }
    await writeJson(join(out, SCORE_FILE), score)
    await writeFile(join(out, 'Result.text'), formatResultText(r))
  },
})
