/**
 * Builds restoring the same targets at once: materialising `out/<id>.out` happens under the
 * target's out lock, so no build swaps the folder under another (which crashed 2 of 7 trials of
 * 4 concurrent restores with ENOENT/ENOTEMPTY).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { CacheLayout } from '../../src/cache/layout.ts'
import { tryLock } from '../../src/cache/lock.ts'
import { Store } from '../../src/cache/store.ts'
import { StatCache } from '../../src/hash/stat-cache.ts'
import { TempProject } from '../helpers/project.ts'
import { tempDir } from '../helpers/temp.ts'

test('materialize waits for the out lock, then finds the folder already in place', async () => {
  const dir = tempDir('coin-race-')
  const layout = new CacheLayout(dir)
  const store = new Store(layout, new StatCache(undefined))
  const staging = store.newStaging()
  writeFileSync(join(staging, 'out', 'a.txt'), 'a')
  const record = await store.commit(
    staging,
    {
      key: 'f'.repeat(32),
      keyData: {} as never,
      rule: 'r',
      target: 't',
      startedAt: '',
      durationMs: 0,
      executor: 'local',
      host: '',
    },
    undefined,
  )
  const held = tryLock(layout.outLock('t'))!
  let done = false
  const pending = store.materialize('t', record).then((s) => {
    done = true
    return s
  })
  await new Promise((r) => setTimeout(r, 400))
  assert.not.ok(done, 'waits while another process materialises t')
  held.release()
  const first = await pending
  const again = await new Store(layout, new StatCache(undefined)).materialize('t', record)
  assert.equal(again.dirs, first.dirs, 'the second restore leaves the intact folder alone')
  assert.is(readFileSync(join(layout.outDir('t'), 'a.txt'), 'utf8'), 'a')
  rmSync(dir, { recursive: true, force: true })
})

const MANY_FILES = `
import { mkdirSync, writeFileSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { defineCoinfile, output, rule } from 'coin'
const many = rule({ name: 'many', async run({ out }) {
  for (let d = 0; d < 10; d++) {
    mkdirSync(out + '/images/' + d, { recursive: true })
    for (let i = 0; i < 40; i++) writeFileSync(out + '/images/' + d + '/' + i + '.txt', d + ':' + i)
  }
} })
const count = rule({ name: 'count', async run({ inputs, out }) {
  let n = 0
  for (let d = 0; d < 10; d++) n += (await readdir(inputs.m + '/images/' + d)).length
  writeFileSync(out + '/n.txt', String(n))
} })
export default defineCoinfile({ targets: () => [
  many('data/a'), many('data/b'), count('n/a', { inputs: { m: output('data/a') } }),
  count('n/b', { inputs: { m: output('data/b') } }),
] })
`

test('4 builds restoring the same targets at once all succeed with correct outputs', async () => {
  const p = new TempProject({ 'Coinfile.ts': MANY_FILES })
  assert.is(p.build().code, 0)
  for (let trial = 0; trial < 2; trial++) {
    for (const f of ['cache/out', 'cache/out-index.json']) rmSync(p.path(f), { recursive: true, force: true })
    const runs = Array.from({ length: 4 }, () => {
      const child = p.spawn('build')
      let err = ''
      child.stderr.on('data', (c) => {
        err += c
      })
      return new Promise<{ code: number | null; err: string }>((r) =>
        child.on('close', (code) => r({ code, err })),
      )
    })
    for (const r of await Promise.all(runs)) assert.is(r.code, 0, r.err)
    for (const id of ['n/a', 'n/b']) assert.is(p.read(`cache/out/${id}.out/n.txt`), '400')
  }
  p.remove()
})

test.run()
