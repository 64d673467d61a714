import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parseChoiceLetter } from '../../rules/scoring/index.ts'
import { scoreOne } from './helpers.ts'

test('a bare letter A-E is taken as is', () => {
  assert.equal(scoreOne('scienceqa', 'C', 'C'), { score: 1, parsed: true })
  assert.equal(scoreOne('scienceqa', 'C', 'D'), { score: 0, parsed: true })
})

test('"X. text" takes the letter before the period', () => {
  assert.is(parseChoiceLetter('B. the cat'), 'B')
  assert.equal(scoreOne('scienceqa', 'B', 'B. the cat'), { score: 1, parsed: true })
})

test('otherwise the first one-character word, upper-cased, is the answer', () => {
  assert.is(parseChoiceLetter('The answer is C'), 'C')
  assert.is(parseChoiceLetter('(d)'), 'D')
  assert.equal(scoreOne('scienceqa', 'A', 'a'), { score: 1, parsed: true })
})

test('quirk: any one-character word wins, so "I think B" reads as I and "It\'s C" as S', () => {
  assert.is(parseChoiceLetter('I think B'), 'I')
  assert.is(parseChoiceLetter("It's C"), 'S')
  assert.equal(scoreOne('scienceqa', 'B', 'I think B'), { score: 0, parsed: true })
})

test('"E." and "A.B" miss the "X. " form but still read their letter as a one-character word', () => {
  assert.is(parseChoiceLetter('E.'), 'E')
  assert.is(parseChoiceLetter('A.B'), 'A')
})

test('no one-character word at all is a parse failure (CoIN: FAILED)', () => {
  assert.is(parseChoiceLetter(''), undefined)
  assert.is(parseChoiceLetter('none of them'), undefined)
  assert.equal(scoreOne('scienceqa', 'A', 'Option one'), { score: 0, parsed: false })
})

test('\\w is Unicode-aware as in Python: "é" is a one-character word', () => {
  assert.is(parseChoiceLetter('é'), 'É')
})

test('the answer must be a letter (surrounding spaces allowed)', () => {
  assert.equal(scoreOne('scienceqa', ' B ', 'B'), { score: 1, parsed: true })
  assert.throws(() => scoreOne('scienceqa', '2', 'B'), /not a letter A-E/)
})

test.run()
