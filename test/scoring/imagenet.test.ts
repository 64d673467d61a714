import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { scoreTask } from '../../rules/scoring/index.ts'
import { prediction, scoreOne, testRecord } from './helpers.ts'

test('correct when the answer is inside the output or the output inside the answer', () => {
  assert.equal(scoreOne('imagenet', 'golden retriever', 'a golden retriever dog'), { score: 1, parsed: true })
  assert.equal(scoreOne('imagenet', 'golden retriever', 'retriever'), { score: 1, parsed: true })
  assert.equal(scoreOne('imagenet', 'golden retriever', 'labrador'), { score: 0, parsed: true })
})

test('the substring test is case-sensitive', () => {
  assert.equal(scoreOne('imagenet', 'tabby cat', 'Tabby Cat'), { score: 0, parsed: true })
})

test('quirk: an empty output is a substring of every answer, so it scores 1 (flagged unparsed)', () => {
  assert.equal(scoreOne('imagenet', 'tabby cat', ''), { score: 1, parsed: false })
  const r = scoreTask('imagenet', [testRecord(1, 'tabby cat')], [prediction(1, '')])
  assert.is(r.value, 100)
  assert.is(r.parse_failures, 1)
})

test('quirk: a lone space is correct when the answer has a space', () => {
  assert.equal(scoreOne('imagenet', 'tabby cat', ' '), { score: 1, parsed: false })
  assert.equal(scoreOne('imagenet', 'tabby', ' '), { score: 0, parsed: false })
})

test('quirk: CoIN pairs by row index, ignoring question ids', () => {
  const tests = [testRecord('a', 'cat'), testRecord('b', 'dog')]
  const preds = [prediction('b', 'cat'), prediction('a', 'dog')] // ids swapped, rows in test order
  const r = scoreTask('imagenet', tests, preds)
  assert.is(r.correct, 2)
  const strict = scoreTask('imagenet', tests, preds, 'strict')
  assert.is(strict.correct, 0)
})

test('row pairing: fewer predictions leave the tail missing, extra ones are unmatched', () => {
  const tests = [testRecord(1, 'cat'), testRecord(2, 'dog'), testRecord(3, 'owl')]
  const short = scoreTask('imagenet', tests, [prediction(1, 'cat')])
  assert.is(short.missing, 2)
  assert.equal(
    short.perItem.map((i) => i.missing),
    [false, true, true],
  )
  const long = scoreTask('imagenet', tests.slice(0, 1), [prediction(1, 'cat'), prediction(2, 'dog')])
  assert.is(long.unmatched, 1)
})

test('strict: a blank output is a parse failure worth 0', () => {
  assert.equal(scoreOne('imagenet', 'tabby cat', '', 'strict'), { score: 0, parsed: false })
  assert.equal(scoreOne('imagenet', 'tabby cat', 'a tabby cat', 'strict'), { score: 1, parsed: true })
})

test.run()
