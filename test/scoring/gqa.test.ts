import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { normalizeGqaOutput } from '../../rules/scoring/index.ts'
import { scoreOne } from './helpers.ts'

test('trailing periods are stripped, then the output is lower-cased', () => {
  assert.is(normalizeGqaOutput('Yes...'), 'yes')
  assert.equal(scoreOne('gqa', 'yes', 'Yes.'), { score: 1, parsed: true })
})

test('no space is dropped (CoIN never strips one); strict trims', () => {
  assert.is(normalizeGqaOutput(' Left.'), ' left')
  assert.equal(scoreOne('gqa', 'left', ' left'), { score: 0, parsed: true })
  assert.equal(scoreOne('gqa', 'left', ' left. ', 'strict'), { score: 1, parsed: true })
})

test('quirk: a trailing space survives, and shields the period before it', () => {
  assert.is(normalizeGqaOutput('yes. '), 'yes. ')
  assert.equal(scoreOne('gqa', 'yes', 'yes '), { score: 0, parsed: true })
})

test('quirk: the answer is compared as given, not lower-cased', () => {
  assert.equal(scoreOne('gqa', 'Yes', 'Yes'), { score: 0, parsed: true })
})

test('a blank output is a parse failure', () => {
  assert.equal(scoreOne('gqa', 'no', ''), { score: 0, parsed: false })
  assert.equal(scoreOne('gqa', 'no', '...'), { score: 0, parsed: true }) // not blank; normalises to ""
})

test.run()
