/** End to end: gc keeps what the Coinfile reaches (and pins), clean spares results/, params, publish. */
import { existsSync, readFileSync } from 'node:fs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { SIMPLE_COINFILE, TempProject } from '../helpers/project.ts'

const PUBLISHING = SIMPLE_COINFILE.replace(
  "count('data/count', { inputs: { up: output('data/upper') } }),",
  "count('data/count', { inputs: { up: output('data/upper') } , publish: 'results' }),",
)

test('gc removes records no current target reaches, keeps pinned ones, reports bytes', () => {
  const p = new TempProject({ 'Coinfile.ts': SIMPLE_COINFILE, 'a.txt': 'abc' })
  p.build()
  p.build('--set', 'upper.times=3') // a second generation of both targets
  p.build('--set', 'upper.times=4')
  // Current Coinfile (times=2): generations 3 and 4 are unreachable unless pinned.
  p.build()
  p.build('--set', 'upper.times=4')
  assert.match(p.coin('pin', 'data/upper').stdout, 'pinned data/upper')
  p.build()
  const dry = p.coin('gc', '--dry-run')
  assert.match(dry.stdout, /would free \d+(\.\d+)? (B|KiB): 3 records/)
  const gc = p.coin('gc')
  assert.match(gc.stdout, /freed .*: 3 records, \d+ objects/)
  // times=2 is fresh, the pinned times=4 upper is restorable, times=3 is gone.
  assert.equal(p.build().outcomes, { 'data/upper': 'fresh', 'data/count': 'fresh' })
  assert.is(p.build('--set', 'upper.times=4').outcomes['data/upper'], 'restored')
  assert.is(p.build('--set', 'upper.times=3').outcomes['data/upper'], 'ran')
  p.remove()
})

test('publish copies outputs into the project; clean removes cache/ but never results/', () => {
  const p = new TempProject({ 'Coinfile.ts': PUBLISHING, 'a.txt': 'abc' })
  const r = p.build()
  assert.is(r.code, 0, r.stderr)
  assert.is(p.read('results/count.txt'), '6')
  // A deleted published file is put back by the next (otherwise no-op) build.
  p.write({ 'results/count.txt': 'tampered' })
  p.build()
  assert.is(p.read('results/count.txt'), '6')
  assert.match(p.coin('clean').stdout, 'removed')
  assert.not.ok(existsSync(p.path('cache')))
  assert.is(readFileSync(p.path('results/count.txt'), 'utf8'), '6')
  p.remove()
})

test('params lists values, defaults and declaring lines; --json is machine-readable', () => {
  const p = new TempProject({ 'Coinfile.ts': SIMPLE_COINFILE, 'a.txt': 'abc' })
  const rows = JSON.parse(p.coin('params', '--json', '--set', 'upper.times=5').stdout)
  assert.equal(rows, [
    { path: 'upper.times', value: 5, default: 2, overridden: true, declared: 'Coinfile.ts:25' },
  ])
  assert.match(p.coin('params').stdout, /upper\.times\s+2\s+Coinfile\.ts:25/)
  p.remove()
})

test.run()
