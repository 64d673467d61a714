/** The featuriser: hashing, determinism, and the features that make each question type learnable. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { featureStrings, featurize, fnv1a32, tokenize } from '../../rules/learner/featurize.ts'
import { prepareExample } from '../../rules/learner/prepare.ts'
import type { Example, Scene } from '../../rules/learner/types.ts'

test('FNV-1a 32 matches published test vectors and hashes UTF-8 bytes', () => {
  assert.is(fnv1a32(''), 0x811c9dc5)
  assert.is(fnv1a32('a'), 0xe40c292c)
  assert.is(fnv1a32('foobar'), 0xbf9cf968)
  const viaBytes = (s: string) => {
    let h = 0x811c9dc5
    for (const b of new TextEncoder().encode(s)) h = Math.imul(h ^ b, 0x01000193)
    return h >>> 0
  }
  for (const s of ['café', '日本語', 'emoji 😀', 'lone \ud800 surrogate', 'ß\u07ff\u0800'])
    assert.is(fnv1a32(s), viaBytes(s), s)
})

test('tokenize lower-cases and splits on non-alphanumerics', () => {
  assert.equal(tokenize('What color is the CAT?\nA. red'), ['what', 'color', 'is', 'the', 'cat', 'a', 'red'])
  assert.equal(tokenize('Größe 12'), ['größe', '12'])
})

const GQA: Scene = {
  width: 480,
  height: 640,
  objects: [
    { class: 'cat', color: 'orange', x: 58, y: 279, w: 73, h: 95 },
    { class: 'cup', color: 'yellow', x: 17, y: 436, w: 141, h: 193 },
  ],
}

test('ids are deterministic, in range, and follow the strings', () => {
  const ex: Example = { prompt: 'What color is the cup below the cat?', scene: GQA }
  const a = featurize(ex, 1000)
  assert.equal(Array.from(a), Array.from(featurize(structuredClone(ex), 1000)))
  assert.ok(a.every((id) => id >= 0 && id < 1000))
  assert.equal(
    Array.from(a),
    featureStrings(ex).map((s) => fnv1a32(s) % 1000),
  )
})

test('the target is the first-named object (a relational colour question)', () => {
  const f = featureStrings({ prompt: 'What color is the cup below the cat?', scene: GQA })
  assert.ok(f.includes('tg.k:yellow') && f.includes('tg.c:cup'))
  assert.not.ok(f.includes('tg.k:orange'))
  assert.ok(f.includes('r.holds:below=1'), 'the cup is below the cat (rows on the 3×3 grid)')
  const g = featureStrings({ prompt: 'Is the cat below the cup?', scene: GQA })
  assert.ok(g.includes('r.holds:below=0'))
})

test('"what is left of X" crosses the relation word with the other objects', () => {
  const f = featureStrings({ prompt: 'Which object is above the cup?', scene: GQA })
  assert.ok(f.includes('r.q:above|c:cat'))
})

test('without a named object the target is the largest one (classification, "what does this say")', () => {
  const scene: Scene = {
    width: 512,
    height: 512,
    objects: [
      { class: 'tree', color: 'green', x: 0, y: 0, w: 40, h: 40 },
      { class: 'label', color: 'red', x: 100, y: 100, w: 300, h: 200, text: 'ONE WAY' },
    ],
  }
  const f = featureStrings({ prompt: 'What does this say?', scene })
  assert.ok(f.includes('tg.src:largest') && f.includes('tg.tt:one way') && f.includes('tg.c:label'))
  assert.ok(f.includes('o.ct:label|one way') && f.includes('o.t:way'))
})

test('counting and existence count the named class (plurals included)', () => {
  const scene: Scene = {
    width: 300,
    height: 300,
    objects: [
      { class: 'bus', color: 'red', x: 0, y: 0, w: 50, h: 50 },
      { class: 'bus', color: 'blue', x: 100, y: 0, w: 50, h: 50 },
      { class: 'cat', color: 'red', x: 200, y: 200, w: 50, h: 50 },
    ],
  }
  assert.ok(featureStrings({ prompt: 'How many buses are there?', scene }).includes('mc.c:2'))
  const red = featureStrings({ prompt: 'Is there a red cat in the image?', scene })
  assert.ok(red.includes('mc.ck:1'))
  assert.ok(featureStrings({ prompt: 'Is there a blue cat in the image?', scene }).includes('mc.ck:0'))
  assert.ok(featureStrings({ prompt: 'How many dogs are there?', scene }).includes('mc.c:0'))
})

test('multiple choice ties each letter to what its option says about the target', () => {
  const scene: Scene = {
    width: 300,
    height: 300,
    objects: [{ class: 'apple', color: 'purple', x: 50, y: 50, w: 200, h: 200 }],
  }
  const prompt =
    'Which color is the apple in the picture?\nA. red\nB. purple\nC. green\nAnswer with the option letter.'
  const f = featureStrings({ prompt, scene })
  assert.ok(f.includes('opt:B|tg.k'))
  assert.not.ok(f.includes('opt:A|tg.k'))
  assert.ok(f.includes('opt.n:3'))
  const g = featureStrings({ prompt: 'Which group does it belong to?\nA. animal\nB. food', scene })
  assert.ok(g.includes('opt:B|food|c:apple'))
})

test('a Grounding reference picks the object by class, colour and cell words', () => {
  const scene: Scene = {
    width: 640,
    height: 480,
    objects: [
      { class: 'cat', color: 'red', x: 20, y: 20, w: 150, h: 120 },
      { class: 'cat', color: 'blue', x: 450, y: 330, w: 150, h: 120 },
    ],
  }
  const prompt =
    'Please provide the bounding box coordinate of the region this sentence describes: the cat on the bottom right'
  const f = featureStrings({ prompt, scene })
  assert.ok(f.includes('tg.k:blue') && f.includes('tg.g:22'))
  assert.ok(f.some((s) => s.startsWith('tg.box:')))
})

test('examples without a scene, and duplicate features, are handled', () => {
  const f = featureStrings({ prompt: 'yes yes', scene: null })
  assert.ok(f.includes('bias') && f.includes('noscene'))
  const p = prepareExample({ prompt: 'yes yes', scene: null }, 1 << 16)
  // "w:yes" twice → one id with weight 2/√n.
  const n = f.length
  const i = Array.from(p.ids).indexOf(fnv1a32('w:yes') % (1 << 16))
  assert.ok(Math.abs(p.weights[i]! - 2 / Math.sqrt(n)) < 1e-6)
  assert.is(new Set(p.ids).size, p.ids.length)
})

test.run()
