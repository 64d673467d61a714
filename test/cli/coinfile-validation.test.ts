/**
 * End to end: a bad Coinfile is a one-screen diagnostic with file:line, the key and a fix, exit 2,
 * no stack trace, and an untouched cache. One case per mistake a Coinfile author makes with
 * rule(), shell(), a target's options, its inputs, defineCoinfile() or --set.
 */
import { existsSync } from 'node:fs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { TempProject } from '../helpers/project.ts'

const HEAD = `import { defineCoinfile, dir, file, glob, output, rule, sh, shell } from 'coin'\nconst r = rule({ name: 'r', run: () => {} })\n`
/** A Coinfile whose line 3 declares `targets` (so a target error points at line 3). */
const targets = (list: string) => `${HEAD}export default defineCoinfile({ targets: () => [${list}] })\n`

/** A Coinfile whose line 3 declares rule `q` and line 4 its targets. */
const withRule = (ruleDecl: string, list: string) =>
  `${HEAD}const q = ${ruleDecl}\nexport default defineCoinfile({ targets: () => [${list}] })\n`

interface Case {
  name: string
  coinfile: string
  args?: string[]
  /** Strings stderr must contain (the location is always one of them). */
  expect: string[]
}

const cases: Case[] = [
  {
    name: 'a misspelt target option, with "did you mean"',
    coinfile: targets(`r('t', { resouces: { cpu: 2 } } as never)`),
    expect: ['Coinfile.ts:3', 'unknown option "resouces"', 'Did you mean "resources"'],
  },
  {
    name: 'a target option coin does not have',
    coinfile: targets(`r('t', { retries: 3 } as never)`),
    expect: ['Coinfile.ts:3', 'unknown option "retries"', 'inputs, params, resources, publish, env'],
  },
  {
    name: 'a plain string where an input ref belongs',
    coinfile: targets(`r('t', { inputs: { src: 'a.txt' } as never })`),
    expect: ['Coinfile.ts:3', 'input "src" is the plain string "a.txt"', `src: file("a.txt")`],
  },
  {
    name: 'a glob-like plain string suggests glob()',
    coinfile: targets(`r('t', { inputs: { imgs: 'data/*.png' } as never })`),
    expect: ['Coinfile.ts:3', 'glob("data/*.png")'],
  },
  {
    name: 'an input that is neither a ref nor a target',
    coinfile: targets(`r('t', { inputs: { src: { path: 'a.txt' } } as never })`),
    expect: ['Coinfile.ts:3', 'input "src" is an object, not an input', "file('a.txt')"],
  },
  {
    name: 'inputs given as an array',
    coinfile: targets(`r('t', { inputs: [file('a.txt')] as never })`),
    expect: ['Coinfile.ts:3', 'inputs must be an object, got an array'],
  },
  {
    name: 'a misspelt resource',
    coinfile: targets(`r('t', { resources: { gpus: 2 } as never })`),
    expect: ['Coinfile.ts:3', 'unknown option "gpus"', 'Did you mean "gpu"'],
  },
  {
    name: 'a resource of the wrong kind',
    coinfile: targets(`r('t', { resources: { cpu: '4' } as never })`),
    expect: ['Coinfile.ts:3', 'resources.cpu must be a non-negative integer, got the string "4"'],
  },
  {
    name: 'a fractional GPU count',
    coinfile: targets(`r('t', { resources: { gpu: 0.5 } })`),
    expect: ['Coinfile.ts:3', 'resources.gpu must be a non-negative integer'],
  },
  {
    name: 'publish outside the project',
    coinfile: targets(`r('t', { publish: '../elsewhere' })`),
    expect: ['Coinfile.ts:3', 'publish must be a folder inside the project'],
  },
  {
    name: 'an env value that is not a string',
    coinfile: targets(`r('t', { env: { CUDA: 12 } as never })`),
    expect: ['Coinfile.ts:3', 'env.CUDA must be a string, got the number 12', "CUDA: '12'"],
  },
  {
    name: 'a misspelt Slurm setting',
    coinfile: targets(`r('t', { slurm: { partiton: 'gpu' } } as never)`),
    expect: ['Coinfile.ts:3', 'slurm has an unknown option "partiton"', 'Did you mean "partition"'],
  },
  {
    name: 'target options that are not an object',
    coinfile: targets(`r('t', 'a.txt' as never)`),
    expect: ['Coinfile.ts:3', 'the options of target "t" must be an object'],
  },
  {
    name: 'a misspelt rule option',
    coinfile: `${HEAD}const q = rule({ name: 'q', verison: '2', run: () => {} } as never)\nexport default defineCoinfile({ targets: () => [q('t')] })\n`,
    expect: ['Coinfile.ts:3', 'rule(...) has an unknown option "verison"', 'Did you mean "version"'],
  },
  {
    name: 'a rule without a run function',
    coinfile: `${HEAD}const q = rule({ name: 'q', run: 'python train.py' } as never)\nexport default defineCoinfile({ targets: () => [q('t')] })\n`,
    expect: ['Coinfile.ts:3', 'rule "q": run must be a function, got the string "python train.py"'],
  },
  {
    name: 'a rule without a name',
    coinfile: `${HEAD}const q = rule({ run: () => {} } as never)\nexport default defineCoinfile({ targets: () => [q('t')] })\n`,
    expect: ['Coinfile.ts:3', 'rule(...) needs a name'],
  },
  {
    name: 'a numeric rule version',
    coinfile: `${HEAD}const q = rule({ name: 'q', version: 2, run: () => {} } as never)\nexport default defineCoinfile({ targets: () => [q('t')] })\n`,
    expect: ['Coinfile.ts:3', 'version must be a string, got the number 2', "version: '2'"],
  },
  {
    name: 'a shell rule whose command is a string',
    coinfile: `${HEAD}const s = shell({ name: 's', command: 'echo hi' } as never)\nexport default defineCoinfile({ targets: () => [s('t')] })\n`,
    expect: ['Coinfile.ts:3', 'shell "s": command must be a function'],
  },
  {
    name: 'a misspelt shell option',
    coinfile: `${HEAD}const s = shell({ name: 's', comand: () => sh\`true\` } as never)\nexport default defineCoinfile({ targets: () => [s('t')] })\n`,
    expect: ['Coinfile.ts:3', 'shell(...) has an unknown option "comand"', 'Did you mean "command"'],
  },
  {
    name: 'defineCoinfile with a misspelt key',
    coinfile: `${HEAD}export default defineCoinfile({ target: () => [r('t')] } as never)\n`,
    expect: ['Coinfile.ts:3', 'defineCoinfile(...) has an unknown option "target"', 'Did you mean "targets"'],
  },
  {
    name: 'defineCoinfile with targets as an array',
    coinfile: `${HEAD}export default defineCoinfile({ targets: [r('t')] } as never)\n`,
    expect: ['Coinfile.ts:3', 'targets must be a function of the params'],
  },
  {
    name: 'a param the rule does not declare, with "did you mean"',
    coinfile: withRule(
      `rule({ name: 'q', params: { times: 1, name: '' }, run: () => {} })`,
      `q('t', { params: { tmes: 3 } } as never)`,
    ),
    expect: ['Coinfile.ts:4', 'target "t": params has an unknown param "tmes"', 'Did you mean "times"'],
  },
  {
    name: 'a param of the wrong kind (a string for a number)',
    coinfile: withRule(
      `rule({ name: 'q', params: { times: 1 }, run: () => {} })`,
      `q('ok', { params: { times: 2 } }), q('t', { params: { times: 'three' } } as never)`,
    ),
    expect: [
      'Coinfile.ts:4',
      'target "t": params.times must be a number, got the string "three"',
      'times: 1',
    ],
  },
  {
    name: 'a list param with an element of the wrong kind, nested',
    coinfile: withRule(
      `rule({ name: 'q', params: { data: { tasks: ['gqa'] } }, run: () => {} })`,
      `q('t', { params: { data: { tasks: ['gqa', 7] } } } as never)`,
    ),
    expect: ['Coinfile.ts:4', 'params.data.tasks[1] must be a string, got the number 7'],
  },
  {
    name: "a shell rule's declared params",
    coinfile: withRule(
      `shell({ name: 'q', params: { n: 1 }, command: ({ params }) => sh\`echo \${params.n}\` })`,
      `q('t', { params: { n: [1] } } as never)`,
    ),
    expect: ['Coinfile.ts:4', 'params.n must be a number, got a list'],
  },
  {
    name: "a param outside the rule's paramSchema range",
    coinfile: withRule(
      `rule({ name: 'q', paramSchema: { type: 'object', properties: { lr: { type: 'number', exclusiveMinimum: 0 } } }, run: () => {} })`,
      `q('t', { params: { lr: -1 } })`,
    ),
    expect: ['Coinfile.ts:4', 'target "t": params.lr must be > 0, got the number -1'],
  },
  {
    name: 'a misspelt param under a closed paramSchema, with "did you mean"',
    coinfile: withRule(
      `rule({ name: 'q', paramSchema: { type: 'object', properties: { steps: { type: 'integer' } }, additionalProperties: false }, run: () => {} })`,
      `q('t', { params: { stpes: 10 } })`,
    ),
    expect: ['Coinfile.ts:4', 'params.stpes is not a param of rule "q". Did you mean "steps"'],
  },
  {
    name: 'a param the paramSchema requires, missing',
    coinfile: withRule(
      `rule({ name: 'q', paramSchema: { type: 'object', required: ['task'] }, run: () => {} })`,
      `q('t', { params: {} })`,
    ),
    expect: ['Coinfile.ts:4', 'params.task is required by rule "q"'],
  },
  {
    name: 'a paramSchema that is not a JSON Schema points at the rule',
    coinfile: withRule(`rule({ name: 'q', paramSchema: { type: 'numbr' }, run: () => {} })`, `q('t')`),
    expect: ['Coinfile.ts:3', 'rule "q": paramSchema is not a valid JSON Schema'],
  },
  {
    name: 'a shell command that returns a plain string, not sh`...`',
    coinfile: withRule(`shell({ name: 'q', command: () => 'echo hi' } as never)`, `q('t')`),
    expect: [
      'Coinfile.ts:3',
      'shell "q": command must return a command written with sh`...`, got the string "echo hi"',
    ],
  },
  {
    name: '--set of a list param with elements of the wrong kind',
    coinfile: `${HEAD}export default defineCoinfile({\n  params: { steps: [1, 2] },\n  targets: (p) => [r('t', { params: p })],\n})\n`,
    args: ['--set', 'steps=1,two'],
    expect: ['Coinfile.ts:4', 'expected a list of numbers', '"two"'],
  },
]

for (const c of cases) {
  test(c.name, () => {
    const p = new TempProject({ 'Coinfile.ts': c.coinfile, 'a.txt': 'abc' })
    const r = p.coin('build', ...(c.args ?? []))
    assert.is(r.code, 2, `exit code (stderr: ${r.stderr})`)
    for (const e of c.expect)
      assert.ok(r.stderr.includes(e), `expected ${JSON.stringify(e)} in:\n${r.stderr}`)
    assert.not.ok(r.stderr.includes('    at '), `no stack trace:\n${r.stderr}`)
    assert.ok(r.stderr.trim().split('\n').length <= 12, `one screen:\n${r.stderr}`)
    assert.not.ok(existsSync(p.path('cache')), 'the cache is untouched')
    p.remove()
  })
}

test('--set keeps declared types: a list param from a comma list, numbers stay numbers', () => {
  const p = new TempProject({
    'Coinfile.ts': `${HEAD}export default defineCoinfile({\n  params: { tasks: ['a', 'b'], steps: [1, 2], lr: 0.1, name: 'x' },\n  targets: () => [],\n})\n`,
  })
  const r = p.coin(
    'params',
    '--json',
    '--set',
    'tasks=gqa,vqav2',
    '--set',
    'steps=3,4',
    '--set',
    'name=12',
    '--set',
    'lr=1e-3',
  )
  assert.is(r.code, 0, r.stderr)
  const values = Object.fromEntries(
    (JSON.parse(r.stdout) as { path: string; value: unknown }[]).map((e) => [e.path, e.value]),
  )
  assert.equal(values, { tasks: ['gqa', 'vqav2'], steps: [3, 4], lr: 0.001, name: '12' })
  p.remove()
})

test.run()
