import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { normalizeEvalAIAnswer, vqaAccuracyOrExactMatch, vqaSoftAccuracy } from '../../rules/scoring/index.ts'
import { scoreOne } from './helpers.ts'

const ten = (counts: Record<string, number>) =>
  Object.entries(counts).flatMap(([a, n]) => Array(n).fill(a) as string[])

test('EvalAI normalisation: case, articles, number words, trailing period', () => {
  assert.is(normalizeEvalAIAnswer('The Two Dogs.'), '2 dogs')
  assert.is(normalizeEvalAIAnswer('none'), '0')
  assert.is(normalizeEvalAIAnswer('an apple'), 'apple')
})

test('EvalAI normalisation: contractions restored, possessive split, commas and ? dropped', () => {
  assert.is(normalizeEvalAIAnswer('dont'), "don't")
  assert.is(normalizeEvalAIAnswer("the cat's hat"), "cat 's hat")
  assert.is(normalizeEvalAIAnswer('1,000?'), '1000')
})

test('EvalAI normalisation: punctuation next to a space is deleted, otherwise becomes a space', () => {
  assert.is(normalizeEvalAIAnswer('a - b'), 'b') // "a" is an article once "-" is gone
  assert.is(normalizeEvalAIAnswer('x-y'), 'x y')
  assert.is(normalizeEvalAIAnswer('3.5'), '3.5') // a period before a digit stays
})

test('EvalAI quirk: re.UNICODE is passed as count, so only 32 periods are deleted', () => {
  assert.is(normalizeEvalAIAnswer(`x${'.'.repeat(40)}`), `x${'.'.repeat(8)}`)
})

test('soft accuracy: 4+ agreeing humans give 1, 3 give 0.9, 2 give 0.6, 1 gives 0.3, none 0', () => {
  const answers = ten({ red: 3, blue: 2, green: 1, pink: 4 })
  assert.is(vqaSoftAccuracy('pink', answers), 1)
  assert.ok(Math.abs(vqaSoftAccuracy('red', answers) - 0.9) < 1e-12)
  assert.ok(Math.abs(vqaSoftAccuracy('blue', answers) - 0.6) < 1e-12)
  assert.ok(Math.abs(vqaSoftAccuracy('green', answers) - 0.3) < 1e-12)
  assert.is(vqaSoftAccuracy('black', answers), 0)
})

test('TextVQA matches after normalising both sides', () => {
  const answers = ten({ '2': 5, two: 5 })
  assert.equal(scoreOne('textvqa', answers, 'Two.'), { score: 1, parsed: true })
})

test('a single answer string counts as 10 identical answers: exact match after normalisation', () => {
  assert.equal(scoreOne('textvqa', 'Coca Cola', 'the coca-cola.'), { score: 1, parsed: true })
  assert.equal(scoreOne('textvqa', 'Coca Cola', 'coke'), { score: 0, parsed: true })
})

test('answer lists of another length fall back to a normalised match against any answer', () => {
  assert.is(vqaAccuracyOrExactMatch('stop', ['STOP', 'halt']), 1)
  assert.is(vqaAccuracyOrExactMatch('go', ['STOP', 'halt']), 0)
})

test('a blank output is a parse failure and scores 0', () => {
  assert.equal(scoreOne('textvqa', 'stop', '   '), { score: 0, parsed: false })
})

test('strict is the same rule for TextVQA', () => {
  const answers = ten({ red: 2, blue: 8 })
  assert.equal(scoreOne('textvqa', answers, 'red', 'strict'), scoreOne('textvqa', answers, 'red', 'coin'))
})

test.run()
