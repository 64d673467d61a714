/** The out-state index: a copy validated by stat, never trusted after another process rewrote the file. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { CacheLayout } from '../../src/cache/layout.ts'
import { type OutState, Store } from '../../src/cache/store.ts'
import { StatCache } from '../../src/hash/stat-cache.ts'

const digest = (s: string) => s.padEnd(32, '0')
const state = (key: string): OutState => ({
  key: digest(key),
  outputDigest: digest(`d${key}`),
  files: [],
  dirs: [],
})

test('index entries are used while the file is unchanged and ignored once it is rewritten', () => {
  const dir = mkdtempSync(join(tmpdir(), 'coin-store-'))
  const layout = new CacheLayout(dir)
  const a = new Store(layout, new StatCache(undefined))
  a.writeOutState('t/x', state('1'))
  a.saveIndex()
  // A second process (another Store) loads the index, then the first rewrites the file.
  const b = new Store(layout, new StatCache(undefined))
  assert.is(b.readOutState('t/x')?.key, digest('1'))
  a.writeOutState('t/x', state('2')) // same size, new inode: the index copy in `b` is stale
  assert.is(b.readOutState('t/x')?.key, digest('2'))
  rmSync(layout.outState('t/x'))
  assert.is(b.readOutState('t/x'), undefined, 'a deleted state is gone even if indexed')
  rmSync(dir, { recursive: true, force: true })
})

test.run()
