/** The live view's ETA for step/total progress. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { etaMs, fmtEta } from '../../src/cli/eta.ts'

test('extrapolates the rate since the first reported step', () => {
  // 10 steps took 5 s after step 10 was first seen: 0.5 s a step, 80 steps left.
  assert.is(etaMs({ at: 1000, step: 10 }, 6000, 20, 100), 40_000)
})

test('no estimate before a second step, or when done', () => {
  assert.is(etaMs({ at: 1000, step: 10 }, 6000, 10, 100), undefined)
  assert.is(etaMs({ at: 1000, step: 10 }, 6000, 100, 100), undefined)
})

test('formats seconds, minutes and hours', () => {
  assert.is(fmtEta(4_200), '5s')
  assert.is(fmtEta(125_000), '2m05s')
  assert.is(fmtEta(3_725_000), '1h02m')
})

test.run()
