/** End to end: the real CLI on temp projects — incremental rebuilds, early cutoff, revert → restore. */
import { readFileSync } from 'node:fs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { SIMPLE_COINFILE, TempProject } from '../helpers/project.ts'

const runs = (p: TempProject) => {
  try {
    return p.read('runs.log').trim().split('\n').filter(Boolean)
  } catch {
    return []
  }
}

test('first build runs everything; the second runs nothing', () => {
  const p = new TempProject({ 'Coinfile.ts': SIMPLE_COINFILE, 'a.txt': 'abc' })
  const first = p.build()
  assert.is(first.code, 0, first.stderr)
  assert.equal(first.outcomes, { 'data/upper': 'ran', 'data/count': 'ran' })
  const out = p.coin('path', 'data/count').stdout.trim()
  assert.is(readFileSync(`${out}/count.txt`, 'utf8'), '6')
  const second = p.build()
  assert.equal(second.outcomes, { 'data/upper': 'fresh', 'data/count': 'fresh' })
  assert.equal(runs(p), ['upper', 'count'])
  p.remove()
})

test('editing an input file reruns the targets that read it, and downstream', () => {
  const p = new TempProject({ 'Coinfile.ts': SIMPLE_COINFILE, 'a.txt': 'abc' })
  p.build()
  p.write({ 'a.txt': 'abcd' })
  const why = p.coin('why', 'data/upper')
  assert.match(why.stdout, 'input file a.txt changed')
  const r = p.build()
  assert.equal(r.outcomes, { 'data/upper': 'ran', 'data/count': 'ran' })
  assert.is(readFileSync(`${p.coin('path', 'data/count').stdout.trim()}/count.txt`, 'utf8'), '8')
  p.remove()
})

test('early cutoff: an upstream rebuild with identical output does not rerun downstream', () => {
  const p = new TempProject({ 'Coinfile.ts': SIMPLE_COINFILE, 'a.txt': 'abc' })
  p.build()
  // Same upper-cased output from different input bytes: 'ABC' and 'abc' both give 'ABC'.
  p.write({ 'a.txt': 'ABC' })
  const r = p.build()
  assert.equal(r.outcomes, { 'data/upper': 'ran', 'data/count': 'fresh' })
  assert.equal(runs(p), ['upper', 'count', 'upper'])
  p.remove()
})

test('a --set param change reruns exactly like an edit; reverting restores without running', () => {
  const p = new TempProject({ 'Coinfile.ts': SIMPLE_COINFILE, 'a.txt': 'abc' })
  p.build()
  const why = p.coin('why', 'data/upper', '--set', 'upper.times=3')
  assert.match(why.stdout, 'param times changed 2 → 3')
  const changed = p.build('--set', 'upper.times=3')
  assert.equal(changed.outcomes, { 'data/upper': 'ran', 'data/count': 'ran' })
  // Editing the file to the same value is the same key: nothing runs.
  p.write({ 'Coinfile.ts': SIMPLE_COINFILE.replace('times: 2 }', 'times: 3 }') })
  assert.equal(p.build().outcomes, { 'data/upper': 'fresh', 'data/count': 'fresh' })
  p.write({ 'Coinfile.ts': SIMPLE_COINFILE })
  const reverted = p.build()
  assert.equal(reverted.outcomes, { 'data/upper': 'restored', 'data/count': 'restored' })
  assert.equal(runs(p), ['upper', 'count', 'upper', 'count'])
  assert.is(readFileSync(`${p.coin('path', 'data/count').stdout.trim()}/count.txt`, 'utf8'), '6')
  p.remove()
})

test("editing one rule's code reruns its targets only", () => {
  const p = new TempProject({ 'Coinfile.ts': SIMPLE_COINFILE, 'a.txt': 'abc' })
  p.build()
  p.write({ 'Coinfile.ts': SIMPLE_COINFILE.replace('String(text.length)', "String(text.length) + '\\n'") })
  assert.match(p.coin('why', 'data/count').stdout, 'rule code changed (count)')
  assert.equal(p.build().outcomes, { 'data/upper': 'fresh', 'data/count': 'ran' })
  p.remove()
})

test('adding a target leaves the others fresh; status and dry-run predict the build', () => {
  const p = new TempProject({ 'Coinfile.ts': SIMPLE_COINFILE, 'a.txt': 'abc' })
  p.build()
  p.write({
    'Coinfile.ts': SIMPLE_COINFILE.replace(
      "count('data/count', { inputs: { up: output('data/upper') } }),",
      "count('data/count', { inputs: { up: output('data/upper') } }),\n    count('data/count2', { inputs: { up: output('data/upper') } }),",
    ),
  })
  const status = p
    .coin('status', '--json')
    .stdout.trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((e: { event: string }) => e.event === 'target')
  assert.equal(
    status.map((s: { id: string; outcome: string }) => [s.id, s.outcome]),
    [
      ['data/upper', 'fresh'],
      ['data/count', 'fresh'],
      ['data/count2', 'restore'],
    ],
  )
  const dry = p.coin('build', '--dry-run')
  assert.match(dry.stdout, '3 targets: 2 fresh, 1 restorable')
  assert.equal(runs(p), ['upper', 'count'])
  // Same rule, same input bytes: data/count2 shares data/count's key and is restored.
  assert.equal(p.build().outcomes, {
    'data/upper': 'fresh',
    'data/count': 'fresh',
    'data/count2': 'restored',
  })
  p.remove()
})

test('a glob selects targets; logs and paths are available per target', () => {
  const p = new TempProject({ 'Coinfile.ts': SIMPLE_COINFILE, 'a.txt': 'abc' })
  const r = p.build('data/up*')
  assert.equal(r.outcomes, { 'data/upper': 'ran' })
  assert.match(p.coin('list').stdout, 'data/count')
  assert.match(p.coin('graph').stdout, '"data/upper" -> "data/count"')
  p.remove()
})

test.run()
