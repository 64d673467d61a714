import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { scoreOne } from './helpers.ts'

const ten = (counts: Record<string, number>) =>
  Object.entries(counts).flatMap(([a, n]) => Array(n).fill(a) as string[])

for (const task of ['vizwiz', 'vqav2']) {
  test(`${task}: pred.upper() == answer.upper()`, () => {
    assert.equal(scoreOne(task, 'Yes', 'yes'), { score: 1, parsed: true })
    assert.equal(scoreOne(task, 'unanswerable', 'UNANSWERABLE'), { score: 1, parsed: true })
  })

  test(`${task}: no trimming and no punctuation handling in the CoIN rule`, () => {
    assert.equal(scoreOne(task, 'yes', 'yes.'), { score: 0, parsed: true })
    assert.equal(scoreOne(task, 'yes', ' yes'), { score: 0, parsed: true })
    assert.equal(scoreOne(task, '2', 'two'), { score: 0, parsed: true })
  })

  test(`${task}: a blank output is a parse failure`, () => {
    assert.equal(scoreOne(task, 'yes', ''), { score: 0, parsed: false })
  })

  test(`${task}: an answer list is reduced to its most frequent answer (ties: earliest)`, () => {
    assert.equal(scoreOne(task, ['no', 'yes', 'yes'], 'yes'), { score: 1, parsed: true })
    assert.equal(scoreOne(task, ['no', 'yes', 'yes', 'no'], 'no'), { score: 1, parsed: true })
    assert.equal(scoreOne(task, ['no', 'yes', 'yes', 'no'], 'yes'), { score: 0, parsed: true })
  })

  test(`${task} strict: official VQA accuracy with 10 answers`, () => {
    const answers = ten({ '2': 2, two: 1, three: 7 })
    assert.ok(Math.abs(scoreOne(task, answers, 'Two.', 'strict').score - 0.9) < 1e-12)
    assert.equal(scoreOne(task, answers, 'three', 'strict'), { score: 1, parsed: true })
  })

  test(`${task} strict: normalised exact match with one answer`, () => {
    assert.equal(scoreOne(task, 'yes', 'Yes.', 'strict'), { score: 1, parsed: true })
    assert.equal(scoreOne(task, '2', 'two', 'strict'), { score: 1, parsed: true })
    assert.equal(scoreOne(task, 'yes', 'no', 'strict'), { score: 0, parsed: true })
    assert.equal(scoreOne(task, 'yes', ' ', 'strict'), { score: 0, parsed: false })
  })
}

test('ocrvqa: pred.lower() == answer.lower()', () => {
  assert.equal(scoreOne('ocrvqa', 'Harry Potter', 'harry potter'), { score: 1, parsed: true })
  assert.equal(scoreOne('ocrvqa', 'Harry Potter', 'Harry Potter.'), { score: 0, parsed: true })
})

test('ocrvqa: no whitespace trimming', () => {
  assert.equal(scoreOne('ocrvqa', 'Harry Potter', ' Harry Potter'), { score: 0, parsed: true })
})

test('ocrvqa quirk: any output containing "Unanswerable" is wrong, even when it is the answer', () => {
  assert.equal(scoreOne('ocrvqa', 'Unanswerable', 'Unanswerable'), { score: 0, parsed: true })
  assert.equal(scoreOne('ocrvqa', 'unanswerable', 'unanswerable'), { score: 1, parsed: true }) // case-sensitive filter
})

test('ocrvqa: a blank output is a parse failure; strict is the CoIN rule', () => {
  assert.equal(scoreOne('ocrvqa', 'Yes', ''), { score: 0, parsed: false })
  assert.equal(scoreOne('ocrvqa', 'Yes', 'yes', 'strict'), { score: 1, parsed: true })
})

test.run()
