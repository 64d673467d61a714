/**
 * The out-state index: a copy validated by stat, never trusted after another process rewrote the
 * file. Committing a staged folder straight into `out/`: the same result as commit + materialize.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { CacheLayout } from '../../src/cache/layout.ts'
import { type OutState, Store } from '../../src/cache/store.ts'
import { StatCache } from '../../src/hash/stat-cache.ts'
import { tempDir } from '../helpers/temp.ts'

const digest = (s: string) => s.padEnd(32, '0')
const state = (key: string): OutState => ({
  key: digest(key),
  outputDigest: digest(`d${key}`),
  files: [],
  dirs: [],
})

test('index entries are used while the file is unchanged and ignored once it is rewritten', () => {
  const dir = tempDir('coin-store-')
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

const meta = (key: string, target: string) => ({
  key: digest(key),
  keyData: {} as never,
  rule: 'r',
  target,
  startedAt: '',
  durationMs: 0,
  executor: 'local',
  host: 'h',
})

/** A staging folder holding `files` under out/ (and `folders`, possibly empty ones). */
function stage(store: Store, files: Record<string, string>, folders: string[] = []): string {
  const staging = store.newStaging()
  for (const f of folders) mkdirSync(join(staging, 'out', f), { recursive: true })
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(staging, 'out', path, '..'), { recursive: true })
    writeFileSync(join(staging, 'out', path), text)
  }
  return staging
}

test('a staged folder renamed into out/ is what materialising its record makes', async () => {
  const dir = tempDir('coin-store-')
  const layout = new CacheLayout(dir)
  const store = new Store(layout, new StatCache(undefined))
  const files = { 'a.txt': 'A', 'sub/b.txt': 'B' }
  // Target x stores new objects; target y has the same content, so its objects already exist.
  const x = await store.commitAndMaterialize('t/x', stage(store, files), meta('1', 't/x'), undefined)
  const y = await store.commitAndMaterialize('t/y', stage(store, files), meta('2', 't/y'), undefined)
  for (const [id, { record, state }] of [
    ['t/x', x],
    ['t/y', y],
  ] as const) {
    assert.equal(store.readOutState(id), state)
    assert.ok(await store.outputsIntact(id, state))
    for (const f of record.files) {
      const out = statSync(join(layout.outDir(id), f.path))
      const obj = statSync(layout.object(f.digest))
      assert.is(out.ino, obj.ino, `${id}/${f.path} is its object's hard link`)
      assert.is(out.mode & 0o777, 0o444, 'read-only')
    }
    assert.is(readFileSync(join(layout.outDir(id), 'sub/b.txt'), 'utf8'), 'B')
  }
  // The staging folders are gone (removed in the background: settle waits), and materialising
  // x's record again changes nothing it checks.
  await store.settle()
  assert.equal(readdirSync(layout.staging), [])
  rmSync(layout.outDir('t/x'), { recursive: true })
  const again = await store.materialize('t/x', x.record)
  assert.equal(
    again.files.map((f) => f.path),
    x.state.files.map((f) => f.path),
  )
  rmSync(dir, { recursive: true, force: true })
})

test('an empty folder in a staged output is not renamed into out/: a restore would lack it', async () => {
  const dir = tempDir('coin-store-')
  const layout = new CacheLayout(dir)
  const store = new Store(layout, new StatCache(undefined))
  const staging = stage(store, { 'a.txt': 'A' }, ['empty/deeper'])
  const { state } = await store.commitAndMaterialize('t/x', staging, meta('1', 't/x'), undefined)
  assert.equal(readdirSync(layout.outDir('t/x')).sort(), ['a.txt'])
  assert.ok(await store.outputsIntact('t/x', state))
  await store.settle()
  assert.equal(readdirSync(layout.staging), [])
  rmSync(dir, { recursive: true, force: true })
})

test.run()
