/** Graph analysis, selection and params, without running anything. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { analyze } from '../../src/config/analyze.ts'
import { defineCoinfile, output, rule } from '../../src/config/define.ts'
import { findParamLine, resolveParams } from '../../src/config/params.ts'
import { UserError } from '../../src/errors.ts'
import { idPattern } from '../../src/graph/graph.ts'
import { toDot, toMermaid } from '../../src/graph/render.ts'
import { selectTargets } from '../../src/project.ts'

const r = rule({ name: 'r', run: () => {} })

const chain = defineCoinfile({
  targets: () => [
    r('data/a'),
    r('train/lora/1-a', { inputs: { d: output('data/a') } }),
    r('train/lora/2-b', { inputs: { prev: output('train/lora/1-a'), d: output('data/a') } }),
    r('eval/lora/2-b/a', { inputs: { m: output('train/lora/2-b') } }),
    r('eval/lora/2-b/b', { inputs: { m: output('train/lora/2-b') } }),
    r('results/report', { inputs: { a: output('eval/lora/2-b/a'), b: output('eval/lora/2-b/b') } }),
  ],
})

test('topological order, deps and closure', () => {
  const g = analyze(chain, {}, '/x/Coinfile.ts')
  const pos = (id: string) => g.order.indexOf(id)
  for (const n of g.nodes.values())
    for (const d of n.deps) assert.ok(pos(d) < pos(n.id), `${d} before ${n.id}`)
  assert.equal(g.closure(['train/lora/2-b']), ['data/a', 'train/lora/1-a', 'train/lora/2-b'])
  assert.equal([...g.downstream('train/lora/2-b')].sort(), [
    'eval/lora/2-b/a',
    'eval/lora/2-b/b',
    'results/report',
  ])
})

test('topological order holds when a target reads one upstream through several inputs', () => {
  // Three inputs from the same upstream once released `c` after `b` alone (indegree 2, three
  // decrements from `a`): `c` came before `b` in the order.
  const g = analyze(
    defineCoinfile({
      targets: () => [
        r('a'),
        r('c', { inputs: { x: output('a'), y: output('a'), z: output('a'), w: output('b') } }),
        r('b', { inputs: { x: output('a') } }),
      ],
    }),
    {},
    '/x/Coinfile.ts',
  )
  assert.equal(g.order, ['a', 'b', 'c'])
  assert.equal(g.get('a').dependents.sort(), ['b', 'c'])
})

test('critical path: longer remaining chains get higher priority', () => {
  const g = analyze(chain, {}, '/x/Coinfile.ts')
  const cp = g.criticalPath(g.order, () => 1)
  assert.is(cp.get('data/a'), 5)
  assert.is(cp.get('results/report'), 1)
  assert.ok(cp.get('train/lora/1-a')! > cp.get('eval/lora/2-b/a')!)
})

test('glob selection of ids', () => {
  const g = analyze(chain, {}, '/x/Coinfile.ts')
  assert.equal(selectTargets(g, ['eval/lora/**']), ['eval/lora/2-b/a', 'eval/lora/2-b/b'])
  assert.equal(selectTargets(g, ['train/*/1-*']), ['train/lora/1-a'])
  assert.equal(selectTargets(g, ['train/lora']), ['train/lora/1-a', 'train/lora/2-b'])
  assert.ok(idPattern('a/*').test('a/b'))
  assert.not.ok(idPattern('a/*').test('a/b/c'))
  assert.throws(
    () => selectTargets(g, ['eval/lora/3-x/*']),
    (e: unknown) => e instanceof UserError,
  )
})

test('dot and mermaid rendering', () => {
  const g = analyze(chain, {}, '/x/Coinfile.ts')
  assert.match(toDot(g, g.order), '"train/lora/1-a" -> "train/lora/2-b";')
  assert.match(toMermaid(g, g.order), 't1 --> t2')
})

test('cycle detection names the cycle', () => {
  const cyc = defineCoinfile({
    targets: () => [
      r('x'),
      r('a', { inputs: { p: output('c') } }),
      r('b', { inputs: { p: output('a') } }),
      r('c', { inputs: { p: output('b') } }),
    ],
  })
  try {
    analyze(cyc, {}, '/x/Coinfile.ts')
    assert.unreachable()
  } catch (e) {
    assert.instance(e, UserError)
    assert.match((e as UserError).message, /dependency cycle: (a → c → b|c → b → a|b → a → c)/)
  }
})

test('params: overrides are JSON-typed, validated, and located', () => {
  const source =
    "export default defineCoinfile({\n  params: {\n    train: {\n      lr: 0.002,\n      steps: 600,\n    },\n    order: ['a', 'b'],\n  },\n})"
  const defaults = { train: { lr: 0.002, steps: 600 }, order: ['a', 'b'] }
  const { params, entries } = resolveParams(defaults, ['train.lr=1e-3', 'order=["b","a"]'], {
    file: 'C.ts',
    source,
  })
  assert.equal(params, { train: { lr: 0.001, steps: 600 }, order: ['b', 'a'] })
  assert.equal(defaults.train.lr, 0.002, 'defaults are not mutated')
  const lr = entries.find((e) => e.path === 'train.lr')!
  assert.equal([lr.value, lr.default, lr.overridden, lr.line], [0.001, 0.002, true, 4])
  assert.is(findParamLine(source, 'train.steps'), 5)
  assert.is(findParamLine(source, 'order'), 7)
  assert.throws(() => resolveParams(defaults, ['train.steps=many'], { file: 'C.ts' }), /expected a number/)
  assert.throws(() => resolveParams(defaults, ['order={"a":1}'], { file: 'C.ts' }), /expected a array/)
  // A list param also takes a comma-separated list (one item is a list of one).
  assert.equal(resolveParams(defaults, ['order=c,d'], { file: 'C.ts' }).params.order, ['c', 'd'])
  assert.equal(resolveParams(defaults, ['order=3'], { file: 'C.ts' }).params.order, ['3'])
})

test('params: a string param takes bare words', () => {
  const { params } = resolveParams({ method: 'lora' }, ['method=moelora'], { file: 'C.ts' })
  assert.equal(params, { method: 'moelora' })
})

test.run()
