/**
 * End to end: a cache entry is never trusted beyond what it can prove. Extra files in an output
 * folder, records with edited or escaping paths, and symbolic links written by a rule never reach
 * a restore, a downstream key or a file outside the cache.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { SIMPLE_COINFILE, TempProject } from '../helpers/project.ts'

const simple = () => {
  const p = new TempProject({ 'Coinfile.ts': SIMPLE_COINFILE, 'a.txt': 'hello\n' })
  const r = p.build()
  assert.is(r.code, 0, r.stderr)
  return p
}

const recordOf = (p: TempProject, id: string): string => {
  const key = JSON.parse(p.read(`cache/out/${id}.json`)).key as string
  return p.path(`cache/actions/${key.slice(0, 2)}/${key}.json`)
}

test('an extra file planted in an output folder is noticed and removed; the downstream key is untouched', () => {
  const p = simple()
  const out = p.path('cache/out/data/upper.out')
  writeFileSync(join(out, 'poison.txt'), 'planted')
  const r = p.build()
  assert.is(r.code, 0, r.stderr)
  assert.is(r.outcomes['data/upper'], 'restored', 'not fresh: its folder holds a file no record lists')
  assert.is(r.outcomes['data/count'], 'fresh')
  assert.not.ok(existsSync(join(out, 'poison.txt')))
  p.remove()
})

test('an extra file in a nested output folder is noticed too', () => {
  const p = new TempProject({
    'Coinfile.ts': `
import { mkdirSync, writeFileSync } from 'node:fs'
import { defineCoinfile, rule } from 'coin'
const nest = rule({ name: 'nest', async run({ out }) {
  mkdirSync(out + '/a/b', { recursive: true }); writeFileSync(out + '/a/b/x.txt', 'x')
} })
export default defineCoinfile({ targets: () => [nest('n')] })
`,
  })
  assert.is(p.build().code, 0)
  writeFileSync(p.path('cache/out/n.out/a/b/y.txt'), 'planted')
  const r = p.build()
  assert.is(r.outcomes.n, 'restored')
  assert.not.ok(existsSync(p.path('cache/out/n.out/a/b/y.txt')))
  p.remove()
})

test('a record whose path climbs out of the cache is ignored: the target runs, nothing is linked outside', () => {
  const p = simple()
  const rec = recordOf(p, 'data/upper')
  const escapeName = `coin-escape-${process.pid}-${Date.now()}.txt`
  const data = JSON.parse(readFileSync(rec, 'utf8'))
  data.files[0].path = `../../../../../../../../../../tmp/${escapeName}`
  writeFileSync(rec, JSON.stringify(data))
  p.write({ 'a.txt': 'changed\n' })
  p.build()
  p.write({ 'a.txt': 'hello\n' }) // back: the edited record would be the one to restore
  const r = p.build()
  assert.is(r.code, 0, r.stderr)
  assert.is(r.outcomes['data/upper'], 'ran')
  assert.not.ok(existsSync(join(tmpdir(), escapeName)), 'no hard link outside the cache')
  p.remove()
})

test('a record with an edited path no longer matches its output digest: it is rebuilt, not restored', () => {
  const p = simple()
  const rec = recordOf(p, 'data/upper')
  writeFileSync(rec, readFileSync(rec, 'utf8').replace('"upper.txt"', '"upper.txu"'))
  p.write({ 'a.txt': 'changed\n' })
  p.build()
  p.write({ 'a.txt': 'hello\n' })
  const r = p.build()
  assert.is(r.code, 0, r.stderr)
  assert.is(r.outcomes['data/upper'], 'ran')
  assert.ok(existsSync(p.path('cache/out/data/upper.out/upper.txt')))
  assert.not.ok(existsSync(p.path('cache/out/data/upper.out/upper.txu')))
  p.remove()
})

const LINKS = (kind: string, outside: string) => `
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { defineCoinfile, rule } from 'coin'
const links = rule({ name: 'links', async run({ out }) {
  writeFileSync(out + '/real.txt', 'real')
  const kind = ${JSON.stringify(kind)}
  if (kind === 'relative') symlinkSync('real.txt', out + '/link.txt')
  if (kind === 'dangling') symlinkSync('nowhere.txt', out + '/link.txt')
  if (kind === 'absolute') symlinkSync(${JSON.stringify(outside)}, out + '/link.txt')
  if (kind === 'directory') { mkdirSync(out + '/d'); symlinkSync('d', out + '/dlink') }
} })
export default defineCoinfile({ targets: () => [links('l')] })
`

test('symbolic links in outputs are rejected with a diagnostic; an outside target is never touched', () => {
  for (const kind of ['relative', 'dangling', 'absolute', 'directory']) {
    const p = new TempProject({ 'outside.txt': 'secret' })
    const outside = p.path('outside.txt')
    const mode = statSync(outside).mode
    p.write({ 'Coinfile.ts': LINKS(kind, outside) })
    const r = p.build()
    assert.is(r.code, 1, `${kind}: ${r.stderr}`)
    assert.is(r.outcomes.l, 'failed', kind)
    const ev = r.events.find((e) => e.event === 'target' && e.id === 'l')
    assert.match(JSON.stringify(ev), /symbolic link/, kind)
    assert.is(statSync(outside).mode, mode, `${kind}: the link's target keeps its mode`)
    assert.not.ok(existsSync(p.path('cache/actions')) && readdirSync(p.path('cache/actions')).length, kind)
    if (kind === 'absolute') assert.match(p.coin('log', 'l').stdout, /symbolic link/)
    p.remove()
  }
})

test.run()
