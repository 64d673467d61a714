/**
 * The exact EMD against POT's ot.emd2 on committed fixtures (scripts/replay/emd_fixtures.py), and
 * the properties the solver must have whatever the fixtures say.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { cosineCost, emd2 } from '../../rules/replay/emd.ts'
import { repoRoot } from '../helpers/project.ts'

interface Case {
  name: string
  a: number[][]
  b: number[][]
  wa: number[]
  wb: number[]
  emd2: number
}
const fixture = JSON.parse(readFileSync(join(repoRoot, 'test/fixtures/replay/emd-pot.json'), 'utf8')) as {
  cases: Case[]
}
const vectors = (rows: number[][]) => rows.map((r) => Float64Array.from(r))

test('matches POT ot.emd2 (cosine cost, uniform and frequency masses) to 1e-6', () => {
  assert.ok(fixture.cases.length >= 16)
  for (const c of fixture.cases) {
    const got = emd2(c.wa, c.wb, cosineCost(vectors(c.a), vectors(c.b)))
    assert.ok(Math.abs(got - c.emd2) <= 1e-6, `${c.name}: ${got} vs POT ${c.emd2}`)
  }
})

test('a distribution is at distance 0 from itself, and the distance is symmetric', () => {
  const c = fixture.cases.find((x) => x.name === '12x9-frequency')!
  const a = vectors(c.a)
  const b = vectors(c.b)
  assert.ok(Math.abs(emd2(c.wa, c.wa, cosineCost(a, a))) < 1e-12)
  const ab = emd2(c.wa, c.wb, cosineCost(a, b))
  const ba = emd2(c.wb, c.wa, cosineCost(b, a))
  assert.ok(Math.abs(ab - ba) < 1e-12)
})

test('a hand-solved case: two points each, the cheaper plan wins', () => {
  // a = {x (mass 3/4), y (1/4)}, b = {x (1/2), z (1/2)}: move 1/2 x→x (0), 1/4 x→z, 1/4 y→z.
  const M = [Float64Array.of(0, 1), Float64Array.of(0.8, 0.2)]
  assert.ok(Math.abs(emd2([3, 1], [1, 1], M) - (0.25 * 1 + 0.25 * 0.2)) < 1e-12)
})

test('bad input is rejected', () => {
  assert.throws(() => emd2([1.5], [1], [Float64Array.of(0)]), /positive integers/)
  assert.throws(() => emd2([1, 1], [1], [Float64Array.of(0)]), /2×1/)
  assert.throws(() => cosineCost([new Float64Array(2)], [Float64Array.of(1, 0)]), /zero vector/)
})

test.run()
