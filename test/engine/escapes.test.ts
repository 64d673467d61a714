/** Nothing a Coinfile or a command line says can write or delete outside the project and its cache. */
import { existsSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { TempProject } from '../helpers/project.ts'
import { tempDir } from '../helpers/temp.ts'

const PUBLISHER = (dest: string) => `
import { writeFileSync } from 'node:fs'
import { defineCoinfile, rule } from 'coin'
const r = rule({ name: 'r', async run({ out }) { writeFileSync(out + '/x.txt', 'x') } })
export default defineCoinfile({ targets: () => [r('t', { publish: ${JSON.stringify(dest)} })] })
`

test('publish paths outside the project are bad input (exit 2): nothing runs, nothing is written', () => {
  const outside = tempDir('coin-outside-')
  for (const dest of [outside, 'a/../../escape', '.']) {
    const p = new TempProject({ 'Coinfile.ts': PUBLISHER(dest) })
    const r = p.coin('build')
    assert.is(r.code, 2, `${dest}: ${r.stdout}${r.stderr}`)
    assert.match(r.stderr, /t\.publish/)
    assert.not.ok(existsSync(join(outside, 'x.txt')), dest)
    assert.not.ok(existsSync(join(p.dir, '..', 'escape')), dest)
    assert.not.ok(existsSync(p.path('cache/actions')), `${dest}: nothing ran`)
    p.remove()
  }
  rmSync(outside, { recursive: true, force: true })
})

test('coin unpin with a path-like argument deletes nothing outside pins/', () => {
  const p = new TempProject({ 'Coinfile.ts': PUBLISHER('results') })
  const victim = join(tempDir('coin-victim-'), 'victim')
  writeFileSync(victim, 'keep me')
  const climb = relative(p.path('cache/pins'), victim)
  const r = p.coin('unpin', climb)
  assert.is(r.code, 2, r.stderr)
  assert.ok(existsSync(victim))
  rmSync(join(victim, '..'), { recursive: true, force: true })
  p.remove()
})

test('coin query cannot read or write files outside the database', async () => {
  const p = new TempProject({})
  const db = p.path('results/coin.duckdb')
  const { recordRun } = await import('../../src/results/index.ts')
  await recordRun(db, { scores: [], experiments: [] })
  const stolen = p.path('stolen.csv')
  const copy = p.coin('query', `COPY (SELECT 42 AS x) TO '${stolen}'`)
  assert.is(copy.code, 2, copy.stderr)
  assert.not.ok(existsSync(stolen))
  const read = p.coin('query', "SELECT * FROM read_csv('/etc/passwd')")
  assert.is(read.code, 2)
  assert.not.match(read.stdout, /root/)
  const reenable = p.coin('query', 'SET enable_external_access = true')
  assert.is(reenable.code, 2)
  const ok = p.coin('query', 'select count(*) as n from scores')
  assert.is(ok.code, 0, ok.stderr)
  p.remove()
})

test.run()
