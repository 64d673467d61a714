/**
 * Loading the Coinfile as one esbuild bundle (src/config/bundle.ts): every project module keeps
 * its own import.meta.url, __dirname and __filename; an exception points at the original line;
 * the bundle file is gone after loading, and one left by a killed coin is removed.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { TempProject } from '../helpers/project.ts'

const FILES = {
  'lib/where.ts': `
export const libUrl: string = import.meta.url
export const libDir: string = __dirname
export const libFile: string = import.meta.filename
`,
  'Coinfile.ts': `
import { writeFileSync } from 'node:fs'
import { defineCoinfile, rule } from 'coin'
import { libDir, libFile, libUrl } from './lib/where.ts'

const here = { coinfile: import.meta.url, coinfileDir: __dirname, libUrl, libDir, libFile }
const show = rule({ name: 'show', run: ({ out }) => writeFileSync(out + '/where.json', JSON.stringify(here)) })

export default defineCoinfile({ targets: () => [show('where', { publish: 'results' })] })
`,
}

test('each bundled module sees its own file location', () => {
  const p = new TempProject(FILES)
  const r = p.build()
  assert.is(r.code, 0, r.stderr)
  const where = JSON.parse(p.read('results/where.json'))
  assert.equal(where, {
    coinfile: `file://${p.path('Coinfile.ts')}`,
    coinfileDir: p.dir,
    libUrl: `file://${p.path('lib/where.ts')}`,
    libDir: p.path('lib'),
    libFile: p.path('lib/where.ts'),
  })
  assert.equal(
    readdirSync(p.dir).filter((n) => n.endsWith('.mjs')),
    [],
    'no bundle left behind',
  )
  p.remove()
})

test("an exception while the Coinfile loads points at the Coinfile's own line (source map)", () => {
  const p = new TempProject({
    ...FILES,
    'Coinfile.ts': `import { libUrl } from './lib/where.ts'\n\nif (libUrl) throw new Error('boom')\n`,
  })
  const r = p.coin('build')
  assert.is(r.code, 2, r.stderr)
  assert.match(r.stderr, /Coinfile\.ts:3: the Coinfile threw while loading: boom/)
  p.remove()
})

test("a bundle left by a killed coin is removed; a live process's is not", () => {
  const p = new TempProject(FILES)
  const orphan = p.path('Coinfile.ts.coin-999999999-0.mjs')
  const live = p.path(`Coinfile.ts.coin-${process.pid}-0.mjs`)
  writeFileSync(orphan, 'export default 1\n')
  writeFileSync(live, 'export default 1\n')
  assert.is(p.build().code, 0)
  assert.not.ok(existsSync(orphan))
  assert.ok(existsSync(live))
  p.remove()
})

test.run()
