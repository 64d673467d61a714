/**
 * Malformed input: each case must print a diagnostic naming the file (and line or key where it
 * applies) and a fix, without a stack trace, exit 2, and leave the cache untouched.
 */
import { existsSync } from 'node:fs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { TempProject } from '../helpers/project.ts'

const HEAD = `import { defineCoinfile, file, glob, dir, output, rule } from 'coin'
const r = rule({ name: 'r', run: () => {} })
`

interface Case {
  name: string
  coinfile?: string
  files?: Record<string, string>
  args?: string[]
  /** Substrings expected in stderr. */
  expect: string[]
}

const cases: Case[] = [
  {
    name: 'a Coinfile that does not compile',
    coinfile: `${HEAD}export default defineCoinfile({ targets: () => [r('a'] })\n`,
    expect: ['Coinfile.ts:3', 'does not compile', 'fix:'],
  },
  {
    name: 'no default export',
    coinfile: `${HEAD}export const x = 1\n`,
    expect: ['Coinfile.ts', 'no `export default defineCoinfile', 'fix:'],
  },
  {
    name: 'the Coinfile throws while loading',
    coinfile: `${HEAD}const cfg: any = undefined\nconst lr = cfg.lr\nexport default defineCoinfile({ targets: () => [] })\n`,
    expect: ['Coinfile.ts:4', 'threw while loading', "reading 'lr'"],
  },
  {
    name: 'targets() throws',
    coinfile: `${HEAD}export default defineCoinfile({\n  targets: () => {\n    throw new Error('no such order')\n  },\n})\n`,
    expect: ['Coinfile.ts:5', 'targets() threw: no such order'],
  },
  {
    name: 'targets() does not return an array',
    coinfile: `${HEAD}export default defineCoinfile({ targets: () => ({}) as never })\n`,
    expect: ['Coinfile.ts', 'must return an array'],
  },
  {
    name: 'an element that is not a target',
    coinfile: `${HEAD}export default defineCoinfile({ targets: () => [r('a'), 'b' as never] })\n`,
    expect: ['targets()[1] is not a target', 'string "b"', 'fix:'],
  },
  {
    name: 'an invalid target id',
    coinfile: `${HEAD}export default defineCoinfile({ targets: () => [\n  r('train//x'),\n] })\n`,
    expect: ['Coinfile.ts:4', '"train//x" is not a valid target id'],
  },
  {
    name: 'a duplicate target id',
    coinfile: `${HEAD}export default defineCoinfile({ targets: () => [\n  r('a/b'),\n  r('a/b'),\n] })\n`,
    expect: ['Coinfile.ts:5', 'declared twice', 'Coinfile.ts:4'],
  },
  {
    name: 'an input from an unknown target',
    coinfile: `${HEAD}export default defineCoinfile({ targets: () => [\n  r('train/base'),\n  r('eval/x', { inputs: { m: output('train/bsae') } }),\n] })\n`,
    expect: ['Coinfile.ts:5', 'unknown target "train/bsae"', 'Did you mean "train/base"', 'eval/x.inputs.m'],
  },
  {
    name: 'a dependency cycle',
    coinfile: `${HEAD}export default defineCoinfile({ targets: () => [\n  r('a', { inputs: { x: output('b') } }),\n  r('b', { inputs: { x: output('a') } }),\n] })\n`,
    expect: ['dependency cycle', 'a → b → a', 'Coinfile.ts:4'],
  },
  {
    name: 'a missing input file',
    coinfile: `${HEAD}export default defineCoinfile({ targets: () => [\n  r('d', { inputs: { src: file('data/missing.json') } }),\n] })\n`,
    expect: ['Coinfile.ts:4', 'file data/missing.json does not exist', 'd.inputs.src'],
  },
  {
    name: 'a glob that matches nothing',
    coinfile: `${HEAD}export default defineCoinfile({ targets: () => [\n  r('d', { inputs: { src: glob('data/*.csv') } }),\n] })\n`,
    expect: ['glob data/*.csv matches no file', 'Coinfile.ts:4'],
  },
  {
    name: 'a directory declared as a file',
    coinfile: `${HEAD}export default defineCoinfile({ targets: () => [r('d', { inputs: { src: file('data') } })] })\n`,
    files: { 'data/x.txt': 'x' },
    expect: ['data is a directory; declare it with dir(...)'],
  },
  {
    name: 'a file declared as a directory',
    coinfile: `${HEAD}export default defineCoinfile({ targets: () => [r('d', { inputs: { src: dir('x.txt') } })] })\n`,
    files: { 'x.txt': 'x' },
    expect: ['x.txt is not a directory'],
  },
  {
    name: '--set of an unknown param',
    coinfile: `${HEAD}export default defineCoinfile({\n  params: { train: { lr: 0.001 } },\n  targets: () => [],\n})\n`,
    args: ['--set', 'train.rl=0.1'],
    expect: ['no such param', 'Did you mean "train.lr"', 'coin params'],
  },
  {
    name: '--set with a value of the wrong type',
    coinfile: `${HEAD}export default defineCoinfile({\n  params: { train: { lr: 0.001 } },\n  targets: () => [],\n})\n`,
    args: ['--set', 'train.lr=fast'],
    expect: ['Coinfile.ts:4', 'expected a number', 'train.lr'],
  },
  {
    name: '--set without a value',
    coinfile: `${HEAD}export default defineCoinfile({ params: { a: 1 }, targets: () => [] })\n`,
    args: ['--set', 'a'],
    expect: ['expected path.to.param=value'],
  },
  {
    name: 'a param that violates the paramSchema',
    coinfile: `${HEAD}export default defineCoinfile({\n  params: { train: { steps: 100 } },\n  paramSchema: { type: 'object', properties: { train: { type: 'object', properties: { steps: { type: 'integer', minimum: 1 } } } } },\n  targets: () => [],\n})\n`,
    args: ['--set', 'train.steps=0'],
    expect: ['param train.steps must be >= 1', 'Coinfile.ts:4'],
  },
  {
    name: 'params that are not JSON',
    coinfile: `${HEAD}export default defineCoinfile({ targets: () => [\n  r('a', { params: { lr: Number.NaN } }),\n] })\n`,
    expect: ['Coinfile.ts:4', 'params.lr is NaN', 'plain JSON'],
  },
  {
    name: 'two different rules with one name',
    coinfile: `${HEAD}const r2 = rule({ name: 'r', run: () => { /* other */ } })\nexport default defineCoinfile({ targets: () => [r('a'), r2('b')] })\n`,
    expect: ['two different rules are named "r"', 'give each rule its own name'],
  },
  {
    name: 'an unknown target on the command line',
    coinfile: `${HEAD}export default defineCoinfile({ targets: () => [r('train/base')] })\n`,
    args: ['train/bas'],
    expect: ['unknown target "train/bas"', 'Did you mean "train/base"', 'coin list'],
  },
  {
    name: 'more GPUs than the pool has',
    coinfile: `${HEAD}export default defineCoinfile({ targets: () => [\n  r('t', { resources: { gpu: 2 } }),\n] })\n`,
    args: ['--gpus', '0'],
    expect: ['asks for 2 GPU(s)', 'pool has 1 GPU(s)', 'Coinfile.ts:4'],
  },
  {
    name: 'an import that cannot be found',
    coinfile: `import { nothing } from './nowhere.ts'\nexport default nothing\n`,
    expect: ['cannot be found', 'nowhere'],
  },
]

for (const c of cases) {
  test(c.name, () => {
    const p = new TempProject({ ...(c.coinfile ? { 'Coinfile.ts': c.coinfile } : {}), ...c.files })
    const r = p.coin('build', ...(c.args ?? []))
    assert.is(r.code, 2, `exit code (stderr: ${r.stderr})`)
    for (const e of c.expect)
      assert.ok(r.stderr.includes(e), `expected ${JSON.stringify(e)} in:\n${r.stderr}`)
    assert.not.ok(r.stderr.includes('    at '), `no stack trace:\n${r.stderr}`)
    assert.not.ok(existsSync(p.path('cache')), 'the cache is untouched')
    p.remove()
  })
}

test('no Coinfile at all names the path and the -f flag', () => {
  const p = new TempProject()
  const r = p.coin('-f', 'other/Coinfile.ts', 'build')
  assert.is(r.code, 2)
  assert.match(r.stderr, 'no Coinfile at')
  assert.match(r.stderr, '-f path/to/Coinfile.ts')
  p.remove()
})

test.run()
