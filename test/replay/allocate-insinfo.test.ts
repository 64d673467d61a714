/**
 * InsCL's allocation (exact budget, more replay for the more distant task), InsInfo against a hand
 * computation, and the two sampling cases.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Rng } from '../../rules/learner/prng.ts'
import { allocate } from '../../rules/replay/allocate.ts'
import { insInfo, wordTagger } from '../../rules/replay/insinfo.ts'
import { sampleInsCL, sampleUniform } from '../../rules/replay/sample.ts'

const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0)

test('allocation sums exactly to the budget and favours the more distant task', () => {
  // InsCL: n_i = int(total · W_i / ΣW) = int(100·[0.1, 0.3, 0.6]/1.0... ) with floors fixed by +1.
  assert.equal(allocate(100, [0.1, 0.3, 0.6]), [10, 30, 60])
  // 7·[1,2,4]/7 → [1,2,4]; 10·[1,2,4]/7 = [1.43, 2.86, 5.71] → [1,2,5] + 2 → largest weights first.
  assert.equal(allocate(10, [1, 2, 4]), [1, 3, 6])
  const rng = new Rng(7)
  for (let trial = 0; trial < 200; trial++) {
    const k = 1 + rng.int(8)
    const w = Array.from({ length: k }, () => rng.uniform())
    const total = rng.int(500)
    const n = allocate(total, w)
    assert.is(sum(n), total)
    for (let i = 0; i < k; i++)
      for (let j = 0; j < k; j++) if (w[i]! > w[j]!) assert.ok(n[i]! >= n[j]!, `${w} → ${n}`)
  }
  assert.equal(allocate(9, [0, 0, 0]), [3, 3, 3]) // InsCL divides by zero here
  assert.equal(allocate(5, [0, 1]), [0, 5])
  assert.throws(() => allocate(-1, [1]), /non-negative integer/)
})

test('the word tagger keeps content words, singular, deduplicated', () => {
  assert.equal(wordTagger('What color is the Cats? Answer the question using a single word or phrase.'), [
    'color',
    'cat',
    'answer',
    'question',
    'single',
    'word',
    'phrase',
  ])
})

test('InsInfo matches a hand computation', () => {
  const tags: Record<string, string[]> = {
    p: ['color', 'count'],
    q: ['color'],
    r: ['text', 'color'],
    s: ['count', 'count'], // deduplicated before counting
  }
  const pool = new Map([
    ['a', ['p', 'q']],
    ['b', ['r', 's']],
  ])
  const info = insInfo(pool, (x) => tags[x]!, ['a', 'b'])
  // N = 4 instructions; f(color) = 3, f(count) = 2, f(text) = 1.
  const L = Math.log
  const a = info.get('a')!
  assert.equal(a.instructions, ['p', 'q'])
  assert.ok(Math.abs(a.raw[0]! - (L(4 / 3) + L(4 / 2))) < 1e-12)
  assert.ok(Math.abs(a.raw[1]! - L(4 / 3)) < 1e-12)
  const total = L(4 / 3) + L(2) + L(4 / 3)
  assert.ok(Math.abs(a.scores[0]! - (L(4 / 3) + L(2)) / total) < 1e-12)
  const b = info.get('b')!
  assert.equal(b.instructions, ['r', 's']) // L(4)+L(4/3) = 1.67 > L(2) = 0.69
  assert.ok(Math.abs(b.raw[0]! - (L(4) + L(4 / 3))) < 1e-12)
  assert.ok(Math.abs(sum(b.scores) - 1) < 1e-12)
})

test('InsCL sampling: top instructions when the quota is small, proportional shares otherwise', () => {
  const instructionOf = ['x', 'x', 'x', 'y', 'y', 'z', 'z', 'z', 'z', 'w']
  const info = { instructions: ['z', 'y', 'x', 'w'], scores: [0.4, 0.3, 0.2, 0.1], raw: [4, 3, 2, 1] }
  // Case 1: quota 2 < 4 instructions → one record of z and one of y.
  const small = sampleInsCL(instructionOf, info, 2, new Rng(1))
  assert.equal(small.map((i) => instructionOf[i]).sort(), ['y', 'z'])
  // Case 2: quota 6 → z int(2.4)=2, y int(1.8)=1, x int(1.2)=1, w max(1, 0)=1 → 5, one more added.
  for (let seed = 0; seed < 20; seed++) {
    const big = sampleInsCL(instructionOf, info, 6, new Rng(seed))
    assert.is(big.length, 6)
    assert.is(new Set(big).size, 6)
    const per = (ins: string) => big.filter((i) => instructionOf[i] === ins).length
    assert.ok(per('z') >= 2 && per('y') >= 1 && per('x') >= 1 && per('w') === 1)
  }
  assert.is(sampleInsCL(instructionOf, info, 50, new Rng(1)).length, 10) // capped at the task's size
  assert.is(sampleUniform(10, 4, new Rng(3)).length, 4)
})

test.run()
