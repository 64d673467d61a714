/** What the store reads back is checked before use: records and out states with unsafe paths or bad digests are ignored. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { isSafeRelPath, manifestProblem, outStateProblem, recordProblem } from '../../src/cache/validate.ts'

const D = 'a'.repeat(32)
const entry = (path: unknown, digest: unknown = D) => ({ path, digest, size: 3, executable: false })
const record = (files: unknown[], extra: object = {}) => ({
  format: 1,
  key: D,
  keyData: {},
  outputDigest: D,
  files,
  log: null,
  ...extra,
})

test('manifest paths must be relative, normalised and inside', () => {
  for (const ok of ['a.txt', 'sub/b.bin', 'x/y/z', '..hidden', 'a..b']) assert.ok(isSafeRelPath(ok), ok)
  for (const bad of [
    '',
    '/etc/passwd',
    '../x',
    'a/../../x',
    './a',
    'a//b',
    'a/',
    'a/./b',
    'a\\b',
    'a\0b',
    '..',
    '.',
  ])
    assert.not.ok(isSafeRelPath(bad), JSON.stringify(bad))
})

test('records with escaping paths, bad digests, duplicates or a wrong key are rejected', () => {
  assert.is(recordProblem(record([entry('a.txt')]), D), undefined)
  assert.ok(recordProblem(record([entry('../../x')]), D))
  assert.ok(recordProblem(record([entry('a.txt', 'ZZ')]), D))
  assert.ok(recordProblem(record([entry('a.txt'), entry('a.txt')]), D))
  assert.ok(recordProblem(record([entry('a'), entry('a/b')]), D))
  assert.ok(recordProblem(record([entry('a.txt')]), 'b'.repeat(32)), 'key must match the file name')
  assert.ok(recordProblem(record([entry('a.txt')], { outputDigest: 'nope' }), D))
  assert.ok(recordProblem(record([entry('a.txt')], { log: '../x' }), D))
  assert.ok(recordProblem({ ...record([]), files: 'x' }, D))
  assert.ok(manifestProblem([{ ...entry('a'), size: -1 }]))
})

test('out states need dirs and safe paths', () => {
  const st = { key: D, outputDigest: D, files: [{ ...entry('a'), ino: 1, mtimeMs: 1, ctimeMs: 1 }] }
  assert.ok(outStateProblem(st), 'an older state without dirs is not trusted')
  assert.is(outStateProblem({ ...st, dirs: [{ path: '', ino: 1, mtimeMs: 1 }] }), undefined)
  assert.ok(outStateProblem({ ...st, dirs: [{ path: '../..', ino: 1, mtimeMs: 1 }] }))
})

test.run()
