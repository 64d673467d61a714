import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { iou, parseCoinPredictedBox, parseStrictBox, scoreTask } from '../../rules/scoring/index.ts'
import { prediction, scoreOne, testRecord } from './helpers.ts'

const box = { answer_bbox: '[0.1, 0.2, 0.5, 0.6]', size: [640, 480] as [number, number] }
const grounding = (output: string, variant: 'coin' | 'strict' = 'coin') =>
  scoreOne('grounding', 'the man on the left', output, variant, box)

test('IoU > 0.5 is correct; the slice quirk only costs the last digit of y2', () => {
  assert.equal(grounding('[0.11, 0.21, 0.51, 0.61]'), { score: 1, parsed: true })
  assert.equal(parseCoinPredictedBox('[0.11, 0.21, 0.51, 0.61]'), [0.11, 0.21, 0.51, 0.6])
  assert.equal(grounding('[0.50, 0.60, 0.90, 0.99]'), { score: 0, parsed: true })
})

test('quirk: text[1:-1] turns a one-digit y2 into 0, so an exact box is wrong under the CoIN rule', () => {
  assert.equal(parseCoinPredictedBox('[0.1, 0.2, 0.5, 0.6]'), [0.1, 0.2, 0.5, 0])
  assert.equal(grounding('[0.1, 0.2, 0.5, 0.6]'), { score: 0, parsed: true })
  assert.equal(grounding('[0.1, 0.2, 0.5, 0.6]', 'strict'), { score: 1, parsed: true })
})

test('quirk: without brackets the slice eats real digits; a trailing period is harmless', () => {
  assert.equal(parseCoinPredictedBox('10, 20, 50, 60'), [0, 20, 50, 6])
  assert.equal(parseCoinPredictedBox('[0.1, 0.2, 0.5, 0.6].'), [0.1, 0.2, 0.5, 0.6])
})

test('leading spaces are harmless before a bracket: the slice eats one, float() strips the rest', () => {
  assert.equal(parseCoinPredictedBox(' [0.11, 0.21, 0.51, 0.61]'), [0.11, 0.21, 0.51, 0.6])
  assert.equal(parseCoinPredictedBox('  [0.11, 0.21, 0.51, 0.61]'), [0.11, 0.21, 0.51, 0.6])
  assert.equal(parseCoinPredictedBox('   [0.11, 0.21, 0.51, 0.61]'), [0.11, 0.21, 0.51, 0.6])
})

test('anything but 4 Python floats is unparsed and wrong', () => {
  assert.equal(grounding('[0.1, 0.2, 0.5]'), { score: 0, parsed: false })
  assert.equal(grounding('the man on the left'), { score: 0, parsed: false })
  assert.equal(grounding(''), { score: 0, parsed: false })
  assert.is(parseCoinPredictedBox('[0x1, 0.2, 0.5, 0.66]'), undefined) // Number() would accept hex
  assert.is(parseCoinPredictedBox('[1_0, 0.2, 0.5, 0.66]'), undefined) // the slice leaves "_0"
  assert.equal(parseCoinPredictedBox('[0.1, 1_0, 0.5, 0.66]'), [0.1, 10, 0.5, 0.6]) // Python reads "1_0"
})

test('strict parser: brackets optional but balanced, spaces anywhere', () => {
  assert.equal(parseStrictBox('[0.1,0.2,0.5,0.6]'), [0.1, 0.2, 0.5, 0.6])
  assert.equal(parseStrictBox(' 0.1 , 0.2 , 0.5 , 0.6 '), [0.1, 0.2, 0.5, 0.6])
  assert.equal(parseStrictBox('[0.1, 0.2, 0.5, 0.6].'), [0.1, 0.2, 0.5, 0.6])
  assert.is(parseStrictBox('[0.1, 0.2, 0.5, 0.6'), undefined)
  assert.is(parseStrictBox('[0.1, 0.2, 0.5]'), undefined)
  assert.is(parseStrictBox('box: [0.1, 0.2, 0.5, 0.6]'), undefined)
})

test('IoU follows CoIN: inverted boxes give 0, identical boxes 1', () => {
  assert.is(iou([0, 0, 1, 1], [0, 0, 1, 1]), 1)
  assert.is(iou([1, 1, 0, 0], [0, 0, 1, 1]), 0)
  assert.ok(Math.abs(iou([0, 0, 2, 1], [1, 0, 3, 1]) - 1 / 3) < 1e-12)
})

test('a grounding test without answer_bbox is a user error naming the record', () => {
  assert.throws(
    () => scoreTask('grounding', [testRecord('g7', 'x')], [prediction('g7', '[0.1, 0.2, 0.3, 0.4]')]),
    (e: Error) => e.name === 'UserError' && e.message.includes('g7') && e.message.includes('answer_bbox'),
  )
})

test.run()
