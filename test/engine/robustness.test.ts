/** End to end: kill -9 mid-target, concurrent builds on one cache, corrupted cache objects. */
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parseEvents, SIMPLE_COINFILE, TempProject } from '../helpers/project.ts'

/** A target that signals it started (a marker file), then takes `ms` to finish. */
const SLOW_COINFILE = (ms: number) => `
import { appendFileSync, writeFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { defineCoinfile, rule } from 'coin'

const slow = rule<{ n: number }>({
  name: 'slow',
  async run({ params, out, root }) {
    appendFileSync(root + '/runs.log', 'slow' + params.n + '\\n')
    writeFileSync(root + '/started-' + params.n, '')
    writeFileSync(out + '/partial.txt', 'half')
    await sleep(${ms})
    writeFileSync(out + '/done.txt', 'n=' + params.n)
  },
})

export default defineCoinfile({
  targets: () => [slow('s/1', { params: { n: 1 } }), slow('s/2', { params: { n: 2 } })],
})
`

const waitFor = async (cond: () => boolean, ms = 20_000) => {
  const t0 = Date.now()
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 50))
  }
}

const countRecords = (dir: string): number => {
  const actions = join(dir, 'cache', 'actions')
  if (!existsSync(actions)) return 0
  return readdirSync(actions).reduce((n, sub) => n + readdirSync(join(actions, sub)).length, 0)
}

test('kill -9 in the middle of a target leaves no record; the next build completes it correctly', async () => {
  const p = new TempProject({ 'Coinfile.ts': SLOW_COINFILE(30_000) })
  const child = p.spawn('build', '-j', '1', 's/1')
  await waitFor(() => existsSync(p.path('started-1')))
  child.kill('SIGKILL')
  await new Promise((r) => child.on('close', r))
  assert.is(countRecords(p.dir), 0, 'no record for the unfinished target')
  assert.ok(existsSync(p.path('cache/staging')), 'the staging dir was left behind by the kill')
  // Now make it quick and build again: the orphaned staging dir is swept, the target runs fully.
  p.write({ 'Coinfile.ts': SLOW_COINFILE(10) })
  const r = p.build('s/1')
  assert.is(r.code, 0, r.stderr)
  assert.ok(r.events.some((e) => e.event === 'swept'))
  assert.equal(r.outcomes, { 's/1': 'ran' })
  const out = p.coin('path', 's/1').stdout.trim()
  assert.is(readFileSync(join(out, 'done.txt'), 'utf8'), 'n=1')
  assert.equal(readdirSync(p.path('cache/staging')), [])
  p.remove()
})

test('SIGTERM stops running children and records nothing for unfinished targets', async () => {
  const p = new TempProject({ 'Coinfile.ts': SLOW_COINFILE(30_000) })
  const child = p.spawn('build', '--json', '-j', '2')
  let stdout = ''
  child.stdout.on('data', (c) => {
    stdout += c
  })
  await waitFor(() => existsSync(p.path('started-1')) && existsSync(p.path('started-2')))
  child.kill('SIGTERM')
  const code = await new Promise((r) => child.on('close', r))
  assert.is(code, 130)
  assert.is(countRecords(p.dir), 0)
  const outcomes = parseEvents(stdout).filter((e) => e.event === 'target')
  assert.ok(outcomes.every((e) => e.event === 'target' && e.outcome === 'failed'))
  p.remove()
})

test('two concurrent builds on one cache run each target once; the other reuses it', async () => {
  const p = new TempProject({ 'Coinfile.ts': SLOW_COINFILE(1500) })
  const a = p.spawn('build', '--json', '-j', '2')
  const b = p.spawn('build', '--json', '-j', '2')
  const collect = (c: ReturnType<TempProject['spawn']>) =>
    new Promise<{ code: number; out: string }>((resolve) => {
      let out = ''
      c.stdout.on('data', (d) => {
        out += d
      })
      c.on('close', (code) => resolve({ code: code ?? -1, out }))
    })
  const [ra, rb] = await Promise.all([collect(a), collect(b)])
  assert.is(ra.code, 0)
  assert.is(rb.code, 0)
  const runs = p.read('runs.log').trim().split('\n').sort()
  assert.equal(runs, ['slow1', 'slow2'], 'each target ran exactly once')
  const outcomes = [...parseEvents(ra.out), ...parseEvents(rb.out)].flatMap((e) =>
    e.event === 'target' ? [e.outcome] : [],
  )
  assert.is(outcomes.filter((o) => o === 'ran').length, 2)
  assert.is(outcomes.filter((o) => o === 'restored' || o === 'fresh').length, 2)
  p.remove()
})

test('a flipped byte in a cache object is detected and the target rebuilt', () => {
  const p = new TempProject({ 'Coinfile.ts': SIMPLE_COINFILE, 'a.txt': 'abc' })
  assert.is(p.build().code, 0)
  const out = p.coin('path', 'data/count').stdout.trim()
  // The workspace file is a read-only hard link to the object: corrupt the object itself.
  const objects = p.path('cache/objects')
  const target = readFileSync(join(out, 'count.txt'), 'utf8')
  let corrupted = false
  for (const sub of readdirSync(objects))
    for (const f of readdirSync(join(objects, sub))) {
      const obj = join(objects, sub, f)
      if (readFileSync(obj, 'utf8') !== target) continue
      chmodSync(obj, 0o644)
      writeFileSync(obj, '9')
      corrupted = true
    }
  assert.ok(corrupted)
  const r = p.build()
  assert.is(r.code, 0, r.stderr)
  assert.equal(r.outcomes, { 'data/upper': 'fresh', 'data/count': 'ran' })
  assert.is(readFileSync(join(out, 'count.txt'), 'utf8'), '6')
  p.remove()
})

test('a corrupted object is not restored from after a revert: the target reruns instead', () => {
  const p = new TempProject({ 'Coinfile.ts': SIMPLE_COINFILE, 'a.txt': 'abc' })
  p.build()
  const first = readFileSync(join(p.coin('path', 'data/upper').stdout.trim(), 'upper.txt'), 'utf8')
  p.build('--set', 'upper.times=3')
  for (const sub of readdirSync(p.path('cache/objects')))
    for (const f of readdirSync(p.path(`cache/objects/${sub}`))) {
      const obj = p.path(`cache/objects/${sub}/${f}`)
      if (readFileSync(obj, 'utf8') !== first) continue
      chmodSync(obj, 0o644)
      writeFileSync(obj, first.replace('A', 'X'))
    }
  const r = p.build()
  assert.is(r.outcomes['data/upper'], 'ran')
  assert.is(readFileSync(join(p.coin('path', 'data/upper').stdout.trim(), 'upper.txt'), 'utf8'), 'ABCABC')
  p.remove()
})

test('a failing target fails the build (exit 1), keeps its log, and --keep-going builds the rest', () => {
  const p = new TempProject({
    'Coinfile.ts': `
import { writeFileSync } from 'node:fs'
import { defineCoinfile, output, rule } from 'coin'
const ok = rule({ name: 'ok', run: ({ out }) => writeFileSync(out + '/x', 'x') })
const bad = rule({ name: 'bad', run: ({ log }) => { log('about to fail'); throw new Error('boom') } })
export default defineCoinfile({ targets: () => [
  bad('a/bad'), ok('a/after', { inputs: { b: output('a/bad') } }), ok('a/other'),
] })
`,
  })
  const r = p.build('-j', '1')
  assert.is(r.code, 1)
  assert.is(r.outcomes['a/bad'], 'failed')
  assert.is(r.outcomes['a/after'], 'skipped')
  assert.match(p.coin('log', 'a/bad').stdout, 'about to fail')
  const k = p.build('--keep-going')
  assert.is(k.code, 1)
  assert.is(k.outcomes['a/other'], 'ran')
  assert.is(countRecords(p.dir), 1)
  p.remove()
})

test.run()
