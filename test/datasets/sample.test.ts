import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mulberry32, sampleFraction } from '../../rules/datasets/index.ts'

const records = Array.from({ length: 1000 }, (_, i) => ({ id: i }))

test('mulberry32 is deterministic and uniform enough for sampling', () => {
  const a = mulberry32(42)
  const b = mulberry32(42)
  const draws = Array.from({ length: 10000 }, () => a())
  assert.equal(
    draws.slice(0, 5),
    Array.from({ length: 5 }, () => b()),
  )
  assert.ok(draws.every((x) => x >= 0 && x < 1))
  const mean = draws.reduce((s, x) => s + x, 0) / draws.length
  assert.ok(Math.abs(mean - 0.5) < 0.02, `mean ${mean}`)
})

test('same seed, same subset; different seed, different subset', () => {
  const one = sampleFraction(records, 0.3, 7)
  assert.equal(sampleFraction(records, 0.3, 7), one)
  assert.not.equal(sampleFraction(records, 0.3, 8), one)
})

test('size is round(fraction · n) and the original order is kept', () => {
  for (const [n, fraction, size] of [
    [1000, 0.3, 300],
    [10, 0.25, 3], // 2.5 rounds up
    [7, 0.1, 1],
    [4, 0.1, 0],
  ] as const) {
    const kept = sampleFraction(records.slice(0, n), fraction, 0)
    assert.is(kept.length, size, `${fraction} of ${n}`)
    assert.equal(
      kept.map((r) => r.id),
      kept.map((r) => r.id).sort((x, y) => x - y),
    )
    assert.is(new Set(kept).size, size)
  }
})

test('fraction 1 keeps everything; a smaller fraction keeps a subset of a larger one', () => {
  assert.equal(sampleFraction(records, 1, 3), records)
  const small = new Set(sampleFraction(records, 0.2, 3))
  const large = new Set(sampleFraction(records, 0.4, 3))
  assert.ok([...small].every((r) => large.has(r)))
})

test('a pinned subset: the sampling algorithm must not drift (it decides dataset keys)', () => {
  // Cross-checked against an independent Python port of mulberry32 + partial Fisher-Yates.
  assert.equal(
    sampleFraction(records.slice(0, 20), 0.25, 0).map((r) => r.id),
    [0, 1, 5, 6, 11],
  )
})

test('fractions outside (0, 1] and non-integer seeds are user errors', () => {
  for (const bad of [0, -0.5, 1.5, Number.NaN]) {
    assert.throws(
      () => sampleFraction(records, bad, 0),
      (e: Error) => e.name === 'UserError' && e.message.includes('fraction must be in (0, 1]'),
    )
  }
  assert.throws(
    () => sampleFraction(records, 0.5, 1.5),
    (e: Error) => e.name === 'UserError' && e.message.includes('seed must be an integer'),
  )
})

test.run()
