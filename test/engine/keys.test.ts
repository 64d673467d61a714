/** Keys: canonical JSON and the pinned key format (golden). Changing these digests must be deliberate. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { computeKey, explainDifference, KEY_FORMAT, type KeyData } from '../../src/fingerprint/key.ts'
import { canonicalJson } from '../../src/hash/canonical-json.ts'
import { hashBytes } from '../../src/hash/xxh.ts'

const data: KeyData = {
  format: KEY_FORMAT,
  rule: { name: 'train', identity: 'version-digest' },
  params: { lr: 0.002, steps: 600, method: { kind: 'lora', r: 8 } },
  inputs: {
    data: { file: 'datasets/a.json', digest: '0123456789abcdef0123456789abcdef' },
    prev: { output: 'fedcba9876543210fedcba9876543210' },
  },
  env: { CUDA: '12.4' },
}

test('canonical JSON sorts keys, drops undefined, normalises -0', () => {
  assert.is(canonicalJson({ b: 1, a: [true, null, -0], c: undefined }), '{"a":[true,null,0],"b":1}')
  assert.is(canonicalJson({ x: 1.0 }), canonicalJson({ x: 1 }))
  assert.throws(() => canonicalJson({ x: Number.NaN }), /x is NaN/)
  assert.throws(() => canonicalJson({ f: () => 1 }), /f is a function/)
})

test('XXH3-128 of known bytes (pins the hash function)', async () => {
  assert.is(await hashBytes(''), '99aa06d3014798d86001c324468d497f')
  assert.is(await hashBytes('coin'), await hashBytes(new TextEncoder().encode('coin')))
})

test('golden key: the key format is pinned', async () => {
  assert.is(KEY_FORMAT, 'coin-key-v2')
  assert.is(await computeKey(data), GOLDEN)
})

test('key order of params and inputs does not matter; values do', async () => {
  const reordered: KeyData = {
    env: { CUDA: '12.4' },
    inputs: { prev: data.inputs.prev!, data: data.inputs.data! },
    params: { method: { r: 8, kind: 'lora' }, steps: 600, lr: 0.002 },
    rule: { identity: 'version-digest', name: 'train' },
    format: KEY_FORMAT,
  }
  assert.is(await computeKey(reordered), GOLDEN)
  assert.is.not(await computeKey({ ...data, params: { ...(data.params as object), lr: 0.001 } }), GOLDEN)
})

test('explainDifference names the first differing components', () => {
  const after: KeyData = {
    ...data,
    params: { lr: 0.001, steps: 600, method: { kind: 'lora', r: 8 } },
    inputs: { ...data.inputs, prev: { output: 'changed' } },
  }
  assert.equal(
    explainDifference(data, after, (n) => (n === 'prev' ? 'train/1 (input prev)' : n)),
    ['param lr changed 0.002 → 0.001', 'upstream output changed: train/1 (input prev)'],
  )
  assert.equal(explainDifference(data, { ...data, rule: { name: 'train', identity: 'other' } }), [
    'rule code changed (train)',
  ])
  assert.equal(explainDifference(data, data), [])
})

// Computed once from `data` above; update only with a KEY_FORMAT bump.
const GOLDEN = '8ec002e3ec7ef7ea6b021ee20ec27cfa'

test.run()
