/**
 * The up-to-date stamp (src/plan/up-to-date.ts): a no-op answered by stat alone must never say
 * "fresh" where the full planner would not. Each test changes one thing a key or an output rests
 * on and checks that the next build does exactly what a build without the stamp does.
 */
import {
  appendFileSync,
  chmodSync,
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { TempProject } from '../helpers/project.ts'

const FILES = {
  'a.txt': 'abc',
  'conf/x.ini': 'x=1\n',
  'scripts/run.sh': 'cat "$1" "$1" > "$2"\n',
  'Coinfile.ts': `
import { appendFileSync } from 'node:fs'
import { defineCoinfile, dir, file, output, rule, sh, shell } from 'coin'
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'

appendFileSync(new URL('./loads.log', import.meta.url), 'loaded\\n')

const copy = rule({
  name: 'copy',
  run: ({ inputs, out }) => writeFileSync(out + '/out.txt', readFileSync(inputs.src as string, 'utf8').toUpperCase()),
})
const list = rule({
  name: 'list',
  run: ({ inputs, out }) => writeFileSync(out + '/ls.txt', readdirSync(inputs.conf as string).join(',')),
})
const script = shell({
  name: 'script',
  command: ({ inputs, out }) => sh\`bash scripts/run.sh \${inputs.src + '/out.txt'} \${out + '/r.txt'} extra/notes.txt\`,
})

export default defineCoinfile({
  targets: () => [
    copy('a', { inputs: { src: file('a.txt') } }),
    list('l', { inputs: { conf: dir('conf') } }),
    script('s', { inputs: { src: output('a') }, publish: 'results' }),
  ],
})
`,
}

const loads = (p: TempProject) => p.read('loads.log').split('\n').filter(Boolean).length
const ALL_FRESH = { a: 'fresh', l: 'fresh', s: 'fresh' }

/** The outcomes of the build after a change (the expected ones are what the planner decides). */
function buildAfter(p: TempProject): Record<string, string> {
  const withStamp = p.build()
  assert.is(withStamp.code, 0, withStamp.stderr)
  return withStamp.outcomes
}

test('a no-op is answered from the stamp, without reading the graph cache', () => {
  const p = new TempProject(FILES)
  assert.equal(p.build().outcomes, { a: 'ran', l: 'ran', s: 'ran' })
  assert.equal(p.build().outcomes, ALL_FRESH) // writes the graph cache and the stamp
  assert.equal(readdirSync(p.path('cache/stamps')).length, 1)
  // A damaged graph file would make any other path load the Coinfile again.
  const [g] = readdirSync(p.path('cache/graphs'))
  writeFileSync(p.path(`cache/graphs/${g}`), '{')
  const n = loads(p)
  const r = p.build()
  assert.equal(r.outcomes, ALL_FRESH)
  assert.is(loads(p), n, 'the no-op did not come from the stamp')
  const keys = r.events.filter((e) => e.event === 'target').map((e) => (e as { key?: string }).key)
  assert.ok(keys.every((k) => typeof k === 'string' && k.length === 32))
  const pub = r.events.find((e) => e.event === 'target' && e.id === 's') as { published?: string[] }
  assert.equal(pub.published, ['results/r.txt'])
  p.remove()
})

test('run from a subfolder, the stamp answers the no-op and still sees a change', () => {
  const p = new TempProject(FILES)
  p.build()
  p.build()
  // The stamp's paths are relative to the root; from elsewhere they are resolved against it.
  const fromConf = () => {
    const r = p.buildIn('conf', '-f', '../Coinfile.ts')
    assert.is(r.code, 0, r.stderr)
    return r.outcomes
  }
  const [g] = readdirSync(p.path('cache/graphs'))
  writeFileSync(p.path(`cache/graphs/${g}`), '{')
  const n = loads(p)
  assert.equal(fromConf(), ALL_FRESH)
  assert.is(loads(p), n, 'the no-op did not come from the stamp')
  writeFileSync(p.path('a.txt'), 'abd')
  assert.equal(fromConf(), { a: 'ran', l: 'fresh', s: 'ran' })
  p.remove()
})

test('a damaged stamp is never believed: the build plans, and writes a good one', () => {
  const p = new TempProject(FILES)
  p.build()
  const events = p.build().events
  const [name] = readdirSync(p.path('cache/stamps'))
  const stamp = p.path(`cache/stamps/${name}`)
  const good = readFileSync(stamp)
  // One character of a key changed (a stamp that would still be read, and report a wrong key),
  // then a truncated file. The graph file is damaged too, so a build that did not believe the
  // stamp loads the Coinfile.
  const key = (events.find((e) => e.event === 'target' && e.id === 'a') as { key: string }).key
  const at = good.indexOf(key)
  assert.ok(at > 0, 'the key is in the stamp')
  const flipped = Buffer.from(good)
  flipped[at] = key[0] === '0' ? 0x31 : 0x30
  for (const bad of [flipped, good.subarray(0, good.length - 8)]) {
    writeFileSync(stamp, bad)
    const [g] = readdirSync(p.path('cache/graphs'))
    writeFileSync(p.path(`cache/graphs/${g}`), '{')
    const n = loads(p)
    assert.equal(p.build().outcomes, ALL_FRESH)
    assert.is(loads(p), n + 1, 'the damaged stamp answered the no-op')
    // The build wrote a good stamp again: the next no-op comes from it.
    writeFileSync(p.path(`cache/graphs/${readdirSync(p.path('cache/graphs'))[0]}`), '{')
    assert.equal(p.build().outcomes, ALL_FRESH)
    assert.is(loads(p), n + 1, 'no good stamp was written')
  }
  p.remove()
})

test('every change the planner sees, the stamp sees', () => {
  const p = new TempProject(FILES)
  p.build()
  p.build()
  const cases: [string, () => void, Record<string, string>][] = [
    ['input file edited', () => writeFileSync(p.path('a.txt'), 'abd'), { a: 'ran', l: 'fresh', s: 'ran' }],
    [
      'file added to a dir input',
      () => writeFileSync(p.path('conf/y.ini'), 'y'),
      { a: 'fresh', l: 'ran', s: 'fresh' },
    ],
    [
      'command script edited',
      () => appendFileSync(p.path('scripts/run.sh'), '# x\n'),
      { a: 'fresh', l: 'fresh', s: 'ran' },
    ],
    // A command word that named no file now does: the file becomes part of the key.
    [
      'file named by the command created',
      () => {
        p.write({ 'extra/notes.txt': 'n' })
      },
      { a: 'fresh', l: 'fresh', s: 'ran' },
    ],
    [
      'output file deleted',
      () => rmSync(p.path('cache/out/l.out/ls.txt'), { force: true }),
      { a: 'fresh', l: 'restored', s: 'fresh' },
    ],
    [
      'file planted in an output',
      () => writeFileSync(p.path('cache/out/a.out/extra'), 'x'),
      { a: 'restored', l: 'fresh', s: 'fresh' },
    ],
    [
      'output file rewritten',
      () => {
        chmodSync(p.path('cache/out/s.out/r.txt'), 0o644)
        writeFileSync(p.path('cache/out/s.out/r.txt'), 'tampered')
      },
      // The copy is a hard link to its object, which is now corrupt too: it runs again.
      { a: 'fresh', l: 'fresh', s: 'ran' },
    ],
    [
      'out state deleted',
      () => rmSync(p.path('cache/out/l.json')),
      { a: 'fresh', l: 'restored', s: 'fresh' },
    ],
  ]
  for (const [what, change, expected] of cases) {
    assert.equal(p.build().outcomes, ALL_FRESH, `before: ${what}`)
    change()
    assert.equal(buildAfter(p), expected, what)
  }
  // A deleted published copy is published again (the target stays fresh).
  rmSync(p.path('results/r.txt'))
  assert.equal(p.build().outcomes, ALL_FRESH)
  assert.ok(existsSync(p.path('results/r.txt')))
  p.remove()
})

test('the stamp agrees with status after every build', () => {
  const p = new TempProject(FILES)
  p.build()
  p.build()
  writeFileSync(p.path('a.txt'), 'zzz')
  const status = p.coin('status', '--json')
  const planned = status.stdout
    .split('\n')
    .filter((l) => l.startsWith('{"event":"target"'))
    .map((l) => JSON.parse(l) as { id: string; outcome: string })
  assert.equal(Object.fromEntries(planned.map((e) => [e.id, e.outcome])), {
    a: 'run',
    l: 'fresh',
    s: 'pending',
  })
  p.build()
  const again = p.coin('status', '--json').stdout
  assert.not.match(again, /"outcome":"(run|pending|restore)"/)
  p.remove()
})

test.run()
