import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { formatPythonFixed, formatResultText, parsePythonFloat } from '../../rules/scoring/index.ts'

test("parsePythonFloat accepts what Python's float() accepts", () => {
  assert.is(parsePythonFloat(' 0.5 '), 0.5)
  assert.is(parsePythonFloat('.5'), 0.5)
  assert.is(parsePythonFloat('5.'), 5)
  assert.is(parsePythonFloat('1_000'), 1000)
  assert.is(parsePythonFloat('-Infinity'), Number.NEGATIVE_INFINITY)
  assert.ok(Number.isNaN(parsePythonFloat('nan')))
})

test('parsePythonFloat rejects what Python rejects but Number() accepts', () => {
  assert.is(parsePythonFloat(''), undefined)
  assert.is(parsePythonFloat('  '), undefined)
  assert.is(parsePythonFloat('0x10'), undefined)
  assert.is(parsePythonFloat('1__0'), undefined)
  assert.is(parsePythonFloat('_1'), undefined)
  assert.is(parsePythonFloat('.'), undefined)
})

test("formatPythonFixed rounds exact ties to even like '{:.2f}', otherwise like toFixed", () => {
  assert.is(formatPythonFixed(0.125, 2), '0.12') // exact binary tie: toFixed says 0.13
  assert.is(formatPythonFixed(0.375, 2), '0.38')
  assert.is(formatPythonFixed(2.675, 2), '2.67') // binary value is below the tie
  assert.is(formatPythonFixed(100 / 3, 2), '33.33')
  assert.is(formatPythonFixed(87.5, 2), '87.50')
})

test("formatResultText writes CoIN's Result.text", () => {
  assert.is(formatResultText({ n: 4000, value: 56.4 }), 'Samples: 4000\nAccuracy: 56.40%\n')
})

test.run()
