/**
 * Rule identity is the rule's code closure: editing a module a rule reaches reruns exactly that
 * rule's targets (and what their outputs change); unrelated modules, other rules of the same
 * module and the target's id do not count. End to end through the real CLI on temp projects.
 */
import { readFileSync } from 'node:fs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { TempProject } from '../helpers/project.ts'

const FILES = {
  'a.txt': 'abc',
  'lib/helper.ts': `export const shout = (s: string) => s.toUpperCase()\n`,
  'lib/unrelated.ts': `export const LABEL = 'experiment'\n`,
  'node_modules/fakepkg/package.json':
    '{ "name": "fakepkg", "version": "1.0.0", "type": "module", "main": "index.js" }\n',
  'node_modules/fakepkg/index.js': 'export const suffix = "!"\n',
  'rules/text.ts': `
import { appendFileSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { rule } from 'coin'
import { suffix } from 'fakepkg'
import { shout } from '../lib/helper.ts'

export const upper = rule({
  name: 'upper',
  async run({ inputs, out, root }) {
    appendFileSync(root + '/runs.log', 'upper\\n')
    await writeFile(out + '/upper.txt', shout(await readFile(inputs.src as string, 'utf8')) + suffix)
  },
})

export const copy = rule({
  name: 'copy',
  async run(ctx) {
    appendFileSync(ctx.root + '/runs.log', 'copy\\n')
    const seen = { ctxKeys: Object.keys(ctx).sort(), target: process.env.COIN_TARGET ?? null }
    await writeFile(ctx.out + '/copy.txt', await readFile(ctx.inputs.up + '/upper.txt', 'utf8'))
    await writeFile(ctx.out + '/seen.json', JSON.stringify(seen))
  },
})
`,
  'Coinfile.ts': `
import { defineCoinfile, file, output } from 'coin'
import { LABEL } from './lib/unrelated.ts'
import { copy, upper } from './rules/text.ts'

export default defineCoinfile({
  targets: () => [
    upper('data/upper', { inputs: { src: file('a.txt') } }),
    copy('data/copy', { inputs: { up: output('data/upper') } }),
    // Same rule, inputs and params as data/copy under another id: one key, one cached output.
    copy(LABEL + '/copy', { inputs: { up: output('data/upper') } }),
  ],
})
`,
}

const runs = (p: TempProject) => p.read('runs.log').trim().split('\n')

function project(): TempProject {
  const p = new TempProject(FILES)
  const first = p.build()
  assert.is(first.code, 0, first.stderr)
  return p
}

test('editing a helper a rule imports reruns that rule; the early cutoff stops the rest', () => {
  const p = project()
  p.write({ 'lib/helper.ts': `export const shout = (s: string) => s.toUpperCase() + '?'\n` })
  assert.match(p.coin('why', 'data/upper').stdout, 'rule code changed (upper)')
  const r = p.build()
  assert.equal(r.outcomes, { 'data/upper': 'ran', 'data/copy': 'ran', 'experiment/copy': 'restored' })
  assert.is(readFileSync(`${p.coin('path', 'data/copy').stdout.trim()}/copy.txt`, 'utf8'), 'ABC?!')
  p.remove()
})

test('editing another rule of the same module does not rerun a rule; comments do not count', () => {
  const p = project()
  const text = p.read('rules/text.ts')
  p.write({ 'rules/text.ts': text.replace("'copy\\n')", "'copy (edited)\\n')") })
  assert.equal(p.build().outcomes, {
    'data/upper': 'fresh',
    'data/copy': 'ran',
    'experiment/copy': 'restored',
  })
  p.remove()
})

test('an unrelated module the Coinfile imports, or a comment in a used one, makes nothing stale', () => {
  const p = project()
  p.write({
    'lib/unrelated.ts': `export const LABEL = 'experiment'\nexport const OTHER = 1\n`,
    'lib/helper.ts': `// a comment only\n${FILES['lib/helper.ts']}`,
  })
  assert.equal(p.build().outcomes, {
    'data/upper': 'fresh',
    'data/copy': 'fresh',
    'experiment/copy': 'fresh',
  })
  assert.equal(runs(p), ['upper', 'copy'])
  p.remove()
})

test("a package version change makes its importers' targets stale", () => {
  const p = project()
  p.write({
    'node_modules/fakepkg/package.json':
      '{ "name": "fakepkg", "version": "1.0.1", "type": "module", "main": "index.js" }\n',
  })
  const r = p.build()
  assert.is(r.outcomes['data/upper'], 'ran')
  // Same bytes out of upper: the cascade stops.
  assert.is(r.outcomes['data/copy'], 'fresh')
  p.remove()
})

test('run cannot see the target id: two ids with the same work share one output', () => {
  const p = project()
  assert.equal(runs(p), ['upper', 'copy'])
  const seen = JSON.parse(
    readFileSync(`${p.coin('path', 'experiment/copy').stdout.trim()}/seen.json`, 'utf8'),
  )
  assert.not.ok(seen.ctxKeys.includes('id'), `ctx keys: ${seen.ctxKeys}`)
  assert.is(seen.target, null)
  p.remove()
})

test.run()
