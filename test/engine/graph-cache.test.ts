/**
 * The graph cache (src/config/graph-cache.ts): a command whose Coinfile closure, `--set` values and
 * coin did not change reads the analysed graph instead of loading the Coinfile; the keys are the
 * same either way; anything that could change the graph loads it again; a damaged graph file is
 * rebuilt; a rule read from the cache still runs (the Coinfile loads when it first must).
 * The Coinfile below counts its own loads in loads.log.
 */
import { readdirSync, rmSync, writeFileSync } from 'node:fs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { TempProject } from '../helpers/project.ts'

const COINFILE = `
import { appendFileSync } from 'node:fs'
import { defineCoinfile, file, glob, output, rule, sh, shell } from 'coin'
import { upper } from './lib/upper.ts'

appendFileSync(new URL('./loads.log', import.meta.url), 'loaded\\n')

const copy = rule({
  name: 'copy',
  run: ({ inputs, out }) => upper(inputs.src as string, out + '/out.txt'),
})
const script = shell({
  name: 'script',
  command: ({ inputs, out, params }) =>
    sh\`bash scripts/run.sh \${inputs.src + '/out.txt'} \${out + '/r.txt'} \${String(params.times)}\`,
})

export default defineCoinfile({
  params: { times: 2 },
  targets: (p) => [
    copy('a', { inputs: { src: file('a.txt') } }),
    copy('b', { inputs: { src: file('b.txt') } }),
    script('s', { inputs: { src: output('a') }, params: { times: p.times } }),
  ],
})
`

const FILES = {
  'a.txt': 'abc',
  'b.txt': 'xyz',
  'lib/upper.ts': `import { readFileSync, writeFileSync } from 'node:fs'
export function upper(src: string, dest: string) { writeFileSync(dest, readFileSync(src, 'utf8').toUpperCase()) }
`,
  'scripts/run.sh': 'for i in $(seq "$3"); do cat "$1"; done > "$2"\n',
  'Coinfile.ts': COINFILE,
}

const loads = (p: TempProject) => p.read('loads.log').split('\n').filter(Boolean).length

function keys(p: TempProject, ...args: string[]): Record<string, string> {
  const r = p.coin('status', '--json', ...args)
  assert.is(r.code, 0, r.stderr)
  const out: Record<string, string> = {}
  for (const line of r.stdout.split('\n').filter((l) => l.startsWith('{'))) {
    const e = JSON.parse(line) as { event: string; id?: string; key?: string }
    if (e.event === 'target' && e.id && e.key) out[e.id] = e.key
  }
  return out
}

test('a no-op reads the graph from the cache and does not load the Coinfile', () => {
  const p = new TempProject(FILES)
  assert.equal(p.build().outcomes, { a: 'ran', b: 'ran', s: 'ran' })
  assert.is(p.read('cache/out/s.out/r.txt'), 'ABCABC')
  const before = loads(p)
  rmSync(p.path('cache/stamps'), { recursive: true, force: true }) // the graph, not the stamp
  assert.equal(p.build().outcomes, { a: 'fresh', b: 'fresh', s: 'fresh' })
  assert.is(loads(p), before, 'the no-op loaded the Coinfile')
  assert.is(readdirSync(p.path('cache/graphs')).length, 1)
  p.remove()
})

test('keys are the same from a loaded Coinfile and from the graph cache', () => {
  const p = new TempProject(FILES)
  p.build()
  rmSync(p.path('cache/graphs'), { recursive: true })
  let n = loads(p)
  const loaded = keys(p)
  assert.is(loads(p), n + 1)
  n = loads(p)
  const cached = keys(p)
  assert.is(loads(p), n, 'status loaded the Coinfile')
  assert.equal(Object.keys(cached).sort(), ['a', 'b', 's'])
  assert.equal(cached, loaded)
  p.remove()
})

test('a command file edited is seen through the cached graph', () => {
  const p = new TempProject(FILES)
  p.build()
  const n = loads(p)
  p.write({ 'scripts/run.sh': 'for i in $(seq "$3"); do cat "$1"; echo; done > "$2"\n' })
  assert.match(p.coin('why', 's').stdout, 'file scripts/run.sh used by the command changed')
  const r = p.build()
  assert.equal(r.outcomes, { a: 'fresh', b: 'fresh', s: 'ran' })
  // Running s loaded the Coinfile (for the rule's command), analysis did not.
  assert.is(loads(p), n + 1)
  assert.is(p.read('cache/out/s.out/r.txt'), 'ABC\nABC\n')
  p.remove()
})

test('editing the Coinfile, a module it imports, or --set loads it again', () => {
  const p = new TempProject(FILES)
  p.build()
  let n = loads(p)
  p.write({ 'Coinfile.ts': COINFILE.replace('times: 2', 'times: 3') })
  assert.equal(p.build().outcomes, { a: 'fresh', b: 'fresh', s: 'ran' })
  assert.is(loads(p), n + 1)
  n = loads(p)
  p.write({ 'lib/upper.ts': `${FILES['lib/upper.ts']}// edited\n` })
  // s too: a rule written in the Coinfile is identified by every module the Coinfile imports.
  assert.equal(p.build().outcomes, { a: 'ran', b: 'ran', s: 'ran' })
  assert.ok(loads(p) > n)
  n = loads(p)
  assert.equal(p.build('--set', 'times=1').outcomes, { a: 'fresh', b: 'fresh', s: 'ran' })
  assert.is(p.read('cache/out/s.out/r.txt'), 'ABC')
  assert.ok(loads(p) > n)
  n = loads(p)
  assert.equal(p.build('--set', 'times=1').outcomes, { a: 'fresh', b: 'fresh', s: 'fresh' })
  assert.is(loads(p), n, 'the same --set reads its cached graph')
  p.remove()
})

test('a damaged or foreign graph file is rebuilt, never trusted', () => {
  const p = new TempProject(FILES)
  p.build()
  const [name] = readdirSync(p.path('cache/graphs'))
  const file = p.path(`cache/graphs/${name}`)
  const good = p.read(`cache/graphs/${name}`)
  for (const bad of [
    good.slice(0, good.length / 2),
    good.replace('"id":"s"', '"id":"zzz"'), // parses, but the checksum line no longer matches
    good.replace(/"key":"[0-9a-f]+"/, '"key":"00000000000000000000000000000000"'),
    good.slice(good.indexOf('\n') + 1), // the JSON alone
    '{}',
  ]) {
    writeFileSync(file, bad)
    rmSync(p.path('cache/stamps'), { recursive: true, force: true }) // else the no-op needs no graph
    const n = loads(p)
    const r = p.build()
    assert.is(r.code, 0, r.stderr)
    assert.equal(r.outcomes, { a: 'fresh', b: 'fresh', s: 'fresh' })
    assert.is(loads(p), n + 1)
    assert.is(p.read(`cache/graphs/${name}`), good)
  }
  p.remove()
})

test('a command rule reading a glob is not cached (its words depend on the files)', () => {
  const p = new TempProject({
    ...FILES,
    'Coinfile.ts': COINFILE.replace("inputs: { src: output('a') }", "inputs: { src: glob('*.txt') }").replace(
      "inputs.src + '/out.txt'",
      '(inputs.src as string[])[0]',
    ),
  })
  assert.is(p.build().code, 0)
  const n = loads(p)
  p.build()
  assert.is(loads(p), n + 1)
  assert.equal(readdirSync(p.path('cache')).includes('graphs'), false)
  p.remove()
})

test.run()
