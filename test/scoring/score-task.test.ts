import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { TASK_IDS } from '../../rules/datasets/index.ts'
import { getScorer, scoreTask, VARIANTS } from '../../rules/scoring/index.ts'
import { prediction, testRecord } from './helpers.ts'

test('every task has a scorer in both variants, labelled with its task and variant', () => {
  for (const task of TASK_IDS) {
    for (const variant of VARIANTS) {
      const scorer = getScorer(task, variant)
      assert.is(scorer.task, task)
      assert.is(scorer.variant, variant)
    }
  }
})

test('CoIN folder names are accepted; unknown tasks and variants are user errors', () => {
  assert.is(getScorer('OCR-VQA').task, 'ocrvqa')
  assert.is(getScorer('ScienceQA').task, 'scienceqa')
  assert.throws(
    () => getScorer('coco'),
    (e: Error) => e.name === 'UserError' && e.message.includes('unknown task "coco"'),
  )
  assert.throws(
    () => getScorer('gqa', 'lenient' as 'coin'),
    (e: Error) => e.name === 'UserError' && e.message.includes('lenient'),
  )
})

test('strict divides by the test set: missing predictions score 0 and are counted', () => {
  const tests = [testRecord(1, 'yes'), testRecord(2, 'no'), testRecord(3, 'no'), testRecord(4, 'yes')]
  const r = scoreTask('vqav2', tests, [prediction(1, 'yes'), prediction(3, 'no')], 'strict')
  assert.is(scoreTask('vqav2', tests, [prediction(1, 'yes'), prediction(3, 'no')]).value, 100)
  assert.is(r.n, 4)
  assert.is(r.correct, 2)
  assert.is(r.value, 50)
  assert.is(r.missing, 2)
  assert.is(r.parse_failures, 0)
  assert.equal(
    r.perItem.map((i) => [i.question_id, i.score, i.missing]),
    [
      [1, 1, false],
      [2, 0, true],
      [3, 1, false],
      [4, 0, true],
    ],
  )
})

test('ids pair as strings, predictions for unknown ids are unmatched, the last duplicate wins', () => {
  const tests = [testRecord(7, 'yes'), testRecord('8', 'no')]
  const preds = [prediction('7', 'no'), prediction('7', 'yes'), prediction(8, 'no'), prediction(99, 'no')]
  const r = scoreTask('vizwiz', tests, preds)
  assert.is(r.correct, 2)
  assert.is(r.unmatched, 1)
  assert.is(r.missing, 0)
})

test('parse failures are counted apart from missing predictions', () => {
  const tests = [testRecord(1, 'A'), testRecord(2, 'B'), testRecord(3, 'C')]
  const r = scoreTask('scienceqa', tests, [prediction(1, 'A'), prediction(2, 'none of them')])
  assert.is(r.parse_failures, 1)
  assert.is(r.missing, 1)
  assert.ok(Math.abs(r.value - 100 / 3) < 1e-9)
})

test('soft scores add up fractionally in `correct`', () => {
  const answers = ['red', 'red', 'blue', 'blue', 'blue', 'blue', 'blue', 'blue', 'blue', 'blue']
  const r = scoreTask(
    'textvqa',
    [testRecord(1, answers), testRecord(2, answers)],
    [prediction(1, 'red'), prediction(2, 'blue')],
  )
  assert.ok(Math.abs(r.correct - 1.6) < 1e-12)
  assert.ok(Math.abs(r.value - 80) < 1e-9)
})

test('an empty test set is a user error rather than 0% or NaN', () => {
  assert.throws(
    () => scoreTask('gqa', [], [prediction(1, 'yes')]),
    (e: Error) => e.name === 'UserError' && e.message.includes('no test records'),
  )
})

test.run()
