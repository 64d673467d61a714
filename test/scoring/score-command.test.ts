import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { formatScoreReport, runScore } from '../../src/cli/commands/score.ts'
import { createProgram } from '../../src/cli/program.ts'
import { tempDir } from '../helpers/temp.ts'

/** A GQA test file of 4 records and a merge.jsonl answering 3 of them (one blank). */
async function fixture(): Promise<{ test: string; pred: string }> {
  const dir = tempDir('coin-score-')
  const tests = ['yes', 'no', 'left', 'red'].map((answer, i) => ({
    question_id: `q${i}`,
    image: `${i}.jpg`,
    text: 'Question?\nAnswer the question using a single word or phrase.',
    answer,
  }))
  const preds = [
    { question_id: 'q0', text: 'Yes.' },
    { question_id: 'q1', text: 'yes' },
    { question_id: 'q2', text: '' },
    { question_id: 'other', text: 'x' },
  ]
  const test = join(dir, 'test.json')
  const pred = join(dir, 'merge.jsonl')
  await writeFile(test, JSON.stringify(tests))
  await writeFile(
    pred,
    preds
      .map((p) => JSON.stringify({ ...p, prompt: 'Q', answer_id: 'a', model_id: 'm', metadata: {} }))
      .join('\n'),
  )
  return { test, pred }
}

test('runScore loads, validates and scores both files; CoIN divides by the known predictions', async () => {
  const r = await runScore({ task: 'GQA', ...(await fixture()) })
  assert.is(r.n, 3)
  assert.is(r.correct, 1)
  assert.is(r.value, 100 / 3)
  assert.is(r.parse_failures, 1)
  assert.is(r.missing, 1)
  assert.is(r.unmatched, 1)
  assert.is(r.warnings.length, 2)
  const strict = await runScore({ task: 'GQA', variant: 'strict', ...(await fixture()) })
  assert.is(strict.n, 4)
  assert.is(strict.value, 25)
})

test("the text report starts with CoIN's Result.text lines", async () => {
  const r = await runScore({ task: 'gqa', ...(await fixture()) })
  assert.is(
    formatScoreReport(r, { task: 'gqa', variant: 'coin' }),
    'Samples: 3\nAccuracy: 33.33%\nDenominator: unique_predictions (4 prediction lines)\nParse failures: 1\nMissing: 1\nUnmatched predictions: 1\n',
  )
})

test('`coin score --json` prints one JSON object with the per-item scores', async () => {
  const files = await fixture()
  const program = createProgram()
  const chunks: string[] = []
  const write = process.stdout.write
  process.stdout.write = ((chunk: string) => chunks.push(chunk) > 0) as typeof process.stdout.write
  try {
    await program.parseAsync(
      ['score', '--task', 'gqa', '--test', files.test, '--pred', files.pred, '--variant', 'strict', '--json'],
      {
        from: 'user',
      },
    )
  } finally {
    process.stdout.write = write
  }
  const out = JSON.parse(chunks.join(''))
  assert.is(out.task, 'gqa')
  assert.is(out.variant, 'strict')
  assert.is(out.value, 25)
  assert.is(out.perItem.length, 4)
  assert.is(process.exitCode ?? 0, 0)
})

test("a malformed prediction file surfaces as the loader's UserError", async () => {
  const files = await fixture()
  await writeFile(files.pred, '{"question_id": "q0"}\n')
  try {
    await runScore({ task: 'gqa', ...files })
    assert.unreachable('should have thrown')
  } catch (e) {
    assert.is((e as Error).name, 'UserError')
    assert.ok((e as Error).message.includes('record 0 (line 1) at /text: missing'))
  }
})

test.run()
