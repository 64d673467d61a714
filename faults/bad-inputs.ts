/**
 * Bad input of every kind must end in exit 2 (or 0 where the input is in fact valid) with a
 * diagnostic, never 70, never a write outside the project: CLI numbers and lists and --set values
 * (generated with fast-check), generated target ids, hand-written broken Coinfiles, malformed
 * CoIN data files, shell injection through params, and path escapes through pin/unpin/publish/query.
 */

import { existsSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { parseGpus, parseJobs, parseMem } from '../src/cli/arguments.ts'
import type { Context, Family, Trial } from './family.ts'
import { isExit70, pool, type Run, Sandbox } from './harness.ts'

const SIMPLE = (body: string) => `
import { writeFileSync } from 'node:fs'
import { defineCoinfile, file, output, rule, sh, shell } from 'coin'
const r = rule<{ v?: unknown }>({ name: 'r', async run({ out, params }) { writeFileSync(out + '/x.txt', JSON.stringify(params)) } })
${body}
`
const OK_COINFILE = SIMPLE(
  `export default defineCoinfile({ params: { files: 3, name: 'a' }, targets: (p) => [r('a', { params: { v: p.files } })] })`,
)

const accepts = (parse: (v: string) => string, v: string) => {
  try {
    parse(v)
    return true
  } catch {
    return false
  }
}

interface Case {
  category: string
  input: string
  files?: Record<string, string>
  args: string[]
  /** Exit codes that are right for this input. */
  expect: number[]
  /** Extra check on the finished run (e.g. no injected file). */
  check?: (sb: Sandbox, r: Run) => string | undefined
}

function cliCases(seed: number, n: number): Case[] {
  const value = fc.oneof(
    fc.string({ maxLength: 8 }),
    fc.integer({ min: -5, max: 5000 }).map(String),
    fc.constantFrom(
      '0',
      '1',
      '-1',
      '1.5',
      '1e3',
      'NaN',
      'Infinity',
      ' 2',
      '0x10',
      '2,3',
      'GPU-abc',
      '0,0',
      '',
    ),
  )
  const opts: [string, (v: string) => string][] = [
    ['-j', parseJobs],
    ['--gpus', parseGpus],
    ['--mem', parseMem],
  ]
  return fc.sample(fc.tuple(fc.integer({ min: 0, max: 2 }), value), { seed, numRuns: n }).map(([o, v]) => {
    const [flag, parse] = opts[o]!
    // A value that looks like an option is commander's to reject (or, like --help, to honour).
    const expect = v.startsWith('-') ? [0, 2] : accepts(parse, v) ? [0] : [2]
    return {
      category: 'CLI arguments (fast-check)',
      input: `${flag} ${JSON.stringify(v)}`,
      args: ['build', '-n', flag, v],
      expect,
    }
  })
}

function setCases(seed: number, n: number): Case[] {
  const path = fc.oneof(
    fc.constantFrom('files', 'name', 'nope', 'files.x', '__proto__', 'constructor'),
    fc.string({ maxLength: 6 }),
  )
  const value = fc.oneof(fc.json({ maxDepth: 1 }), fc.string({ maxLength: 8 }))
  return fc.sample(fc.tuple(path, value), { seed, numRuns: n }).map(([p, v]) => ({
    category: '--set values (fast-check)',
    input: `--set ${p}=${v}`,
    args: ['build', '-n', '--set', `${p}=${v}`],
    expect: [0, 2],
  }))
}

function idCases(seed: number, n: number): Case[] {
  return fc
    .sample(
      fc.oneof(
        fc.string({ maxLength: 12 }),
        fc.constantFrom('../x', '/abs', 'a/../../b', 'a/./b', 'x.out', 'ok/id'),
      ),
      { seed, numRuns: n },
    )
    .map((id) => ({
      category: 'target ids (fast-check)',
      input: JSON.stringify(id),
      files: {
        'Coinfile.ts': SIMPLE(`export default defineCoinfile({ targets: () => [r(${JSON.stringify(id)})] })`),
      },
      args: ['build'],
      expect: [0, 2],
    }))
}

const BROKEN_COINFILES: Record<string, string> = {
  'syntax error': 'export default {',
  'no default export': 'export const x = 1',
  'targets() throws': SIMPLE(`export default defineCoinfile({ targets: () => { throw new Error('boom') } })`),
  'targets() not an array': SIMPLE(`export default defineCoinfile({ targets: () => 42 as never })`),
  'duplicate id': SIMPLE(`export default defineCoinfile({ targets: () => [r('a'), r('a')] })`),
  'unknown upstream': SIMPLE(
    `export default defineCoinfile({ targets: () => [r('a', { inputs: { x: output('nope') } })] })`,
  ),
  cycle: SIMPLE(
    `export default defineCoinfile({ targets: () => [r('a', { inputs: { x: output('b') } }), r('b', { inputs: { x: output('a') } })] })`,
  ),
  'non-JSON params': SIMPLE(
    `export default defineCoinfile({ targets: () => [r('a', { params: { v: () => 1 } as never })] })`,
  ),
  'bigint param': SIMPLE(
    `export default defineCoinfile({ targets: () => [r('a', { params: { v: 1n } as never })] })`,
  ),
  'missing input file': SIMPLE(
    `export default defineCoinfile({ targets: () => [r('a', { inputs: { x: file('missing.txt') } })] })`,
  ),
  'input file outside': SIMPLE(
    `export default defineCoinfile({ targets: () => [r('a', { inputs: { x: file('../outside/canary.txt') } })] })`,
  ),
  'publish absolute': SIMPLE(
    `export default defineCoinfile({ targets: () => [r('a', { publish: '/tmp' })] })`,
  ),
  'publish ../': SIMPLE(
    `export default defineCoinfile({ targets: () => [r('a', { publish: '../outside' })] })`,
  ),
  'two rules one name': SIMPLE(
    `const r2 = rule({ name: 'r', async run() {} })\nexport default defineCoinfile({ targets: () => [r('a'), r2('b')] })`,
  ),
  'negative resources': SIMPLE(
    `export default defineCoinfile({ targets: () => [r('a', { resources: { gpu: -1 } })] })`,
  ),
  'huge gpu request': SIMPLE(
    `export default defineCoinfile({ targets: () => [r('a', { resources: { gpu: 64 } })] })`,
  ),
  'not a target in list': SIMPLE(`export default defineCoinfile({ targets: () => [r('a'), 'b' as never] })`),
}

function coinfileCases(): Case[] {
  return Object.entries(BROKEN_COINFILES).map(([name, text]) => ({
    category: 'broken Coinfiles',
    input: name,
    files: { 'Coinfile.ts': text },
    args: ['build'],
    // 'input file outside' is a readable file, so it may build: reading is not writing.
    expect: name === 'input file outside' ? [0, 2] : [2],
  }))
}

const DATA_COINFILE = `
import { defineCoinfile, dir } from 'coin'
import { prepareTask } from 'coin/rules'
export default defineCoinfile({ targets: () => [prepareTask('datasets/scienceqa', {
  inputs: { source: dir('data') }, params: { task: 'scienceqa', fraction: 1, testFraction: 1, seed: 0 } })] })
`
const GOOD_RECORD = {
  id: 'q1',
  image: 'scienceqa/1.png',
  conversations: [
    { from: 'human', value: '<image>\nWhich is bigger?\nA. x\nB. y' },
    { from: 'gpt', value: 'A' },
  ],
}
const BAD_DATA: Record<string, string> = {
  'truncated JSON': '[{"id": "1", "conversations": [',
  'not an array': '{"id": "1"}',
  'empty file': '',
  'binary garbage': '\u0000\u0001\u0002\u00ff',
  'record is a string': '["hello"]',
  'missing conversations': JSON.stringify([{ id: 'q1' }]),
  'conversations not a list': JSON.stringify([{ id: 'q1', conversations: 'x' }]),
  'turn without value': JSON.stringify([{ ...GOOD_RECORD, conversations: [{ from: 'human' }] }]),
  'unknown speaker': JSON.stringify([{ ...GOOD_RECORD, conversations: [{ from: 'bot', value: 'x' }] }]),
  'id is a number array': JSON.stringify([{ ...GOOD_RECORD, id: [1] }]),
  'trailing comma': `[${JSON.stringify(GOOD_RECORD)},]`,
  'duplicate keys garbage': '[{"id": "1", "id": }]',
}

function dataCases(): Case[] {
  return Object.entries(BAD_DATA).map(([name, text]) => ({
    category: 'malformed CoIN data',
    input: name,
    files: {
      'Coinfile.ts': DATA_COINFILE,
      'data/ScienceQA/train.json': text,
      'data/ScienceQA/test.json': '[]',
    },
    args: ['build'],
    expect: [2],
  }))
}

const INJECTIONS = [
  '$(touch ../outside/pwned)',
  '`touch ../outside/pwned`',
  '; touch ../outside/pwned',
  "'; touch ../outside/pwned; '",
  '"; touch ../outside/pwned; "',
  'a\ntouch ../outside/pwned',
  '| tee ../outside/pwned',
  '&& touch ../outside/pwned',
]

function injectionCases(): Case[] {
  return INJECTIONS.map((v) => ({
    category: 'shell injection via params',
    input: JSON.stringify(v),
    files: {
      'Coinfile.ts': SIMPLE(`
const echo = shell<{ v: string }>({ name: 'echo', command: ({ params, out }) => sh\`printf %s \${params.v} > \${out + '/v.txt'}\` })
export default defineCoinfile({ targets: () => [echo('e', { params: { v: ${JSON.stringify(v)} } })] })`),
    },
    args: ['build'],
    expect: [0],
    check: (sb) =>
      existsSync(join(sb.outside, 'pwned')) || existsSync(sb.path('../outside/pwned'))
        ? 'injected command ran'
        : undefined,
  }))
}

function escapeCases(): Case[] {
  const q = (sql: string): Case => ({
    category: 'path escapes (query, pin, unpin)',
    input: `query ${sql}`,
    args: ['query', sql],
    expect: [2],
  })
  return [
    q("COPY (SELECT 1) TO '../outside/pwned.csv'"),
    q("SELECT * FROM read_csv('/etc/passwd')"),
    q("SELECT * FROM read_text('../outside/canary.txt')"),
    q("ATTACH '../outside/pwned.duckdb' AS x"),
    q('SET enable_external_access = true'),
    q('INSTALL httpfs'),
    q('CREATE TABLE x (a int)'),
    ...['../../outside/victim', '../outside/victim', '/etc/passwd', 'a/../../../outside/victim'].map(
      (t): Case => ({
        category: 'path escapes (query, pin, unpin)',
        input: `unpin ${t}`,
        args: ['unpin', t],
        expect: [2],
      }),
    ),
    ...['../outside/victim', '/etc/passwd'].map(
      (t): Case => ({
        category: 'path escapes (query, pin, unpin)',
        input: `pin ${t}`,
        args: ['pin', t],
        expect: [2],
      }),
    ),
  ]
}

async function runCase(c: Case): Promise<Trial> {
  const sb = new Sandbox(OK_COINFILE)
  try {
    if (c.args[0] === 'query') {
      const { recordRun } = await import('../src/results/index.ts')
      await recordRun(sb.path('results/coin.duckdb'), { scores: [], experiments: [] })
    }
    if (c.files) sb.write(c.files)
    const r = await sb.coin(c.args)
    const problem = c.check?.(sb, r)
    const exit70 = isExit70(r)
    const outside = sb.outsideTouched()
    const wrong = !c.expect.includes(r.code ?? -1) || problem !== undefined
    return {
      family: `bad input: ${c.category}`,
      name: c.input,
      verdict: {
        ok: !wrong && !exit70 && !outside,
        wrong,
        exit70,
        outside,
        note: `${c.input}: exit ${r.code} (expected ${c.expect.join('/')}) ${problem ?? ''} ${r.stderr.trim().split('\n')[0]?.slice(0, 160) ?? ''}`,
      },
    }
  } finally {
    sb.remove()
  }
}

export const badInputs: Family = {
  name: 'bad inputs',
  about:
    'CLI arguments, --set values and target ids from fast-check; broken Coinfiles and CoIN data; injection; escapes',
  async run(ctx: Context) {
    const seed = Math.floor(ctx.random() * 2 ** 31)
    const cases = ctx.quick
      ? [
          ...cliCases(seed, 3),
          ...setCases(seed, 1),
          ...idCases(seed, 1),
          ...coinfileCases().slice(0, 2),
          ...dataCases().slice(0, 1),
          ...injectionCases().slice(0, 1),
          ...escapeCases().slice(0, 2),
        ]
      : [
          ...cliCases(seed, 30),
          ...setCases(seed, 15),
          ...idCases(seed, 15),
          ...coinfileCases(),
          ...dataCases(),
          ...injectionCases(),
          ...escapeCases(),
        ]
    ctx.log(`bad inputs: ${cases.length} cases (fast-check seed ${seed})`)
    const trials = await pool(
      cases.map((c) => async () => {
        const t = await runCase(c)
        if (!t.verdict.ok) ctx.log(`bad input FAIL ${t.verdict.note}`)
        return t
      }),
      2,
    )
    return trials
  },
}
