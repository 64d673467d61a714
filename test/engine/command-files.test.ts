/**
 * A command rule's key covers the project files its command names (the script it runs) and those
 * it declares with `uses`: editing the script makes its targets stale and `why` names it.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { TempProject } from '../helpers/project.ts'

const FILES = {
  'a.txt': 'abc',
  'scripts/run.sh': 'tr a-z A-Z < "$1" > "$2"\n',
  'conf/settings.ini': 'x=1\n',
  'Coinfile.ts': `
import { defineCoinfile, file, sh, shell } from 'coin'

const run = shell({
  name: 'run-script',
  uses: ['conf'],
  command: ({ inputs, out }) => sh\`bash scripts/run.sh \${inputs.src} \${out + '/out.txt'}\`,
})
const echo = shell({
  name: 'echo',
  command: ({ out }) => sh\`echo hi > \${out + '/hi.txt'}\`,
})

export default defineCoinfile({
  targets: () => [run('data/run', { inputs: { src: file('a.txt') } }), echo('data/echo')],
})
`,
}

test('editing the script a command runs makes its target stale, and why names it', () => {
  const p = new TempProject(FILES)
  assert.equal(p.build().outcomes, { 'data/run': 'ran', 'data/echo': 'ran' })
  p.write({ 'scripts/run.sh': 'tr a-z A-Z < "$1" > "$2"  # edited\n' })
  assert.match(p.coin('why', 'data/run').stdout, 'file scripts/run.sh used by the command changed')
  assert.equal(p.build().outcomes, { 'data/run': 'ran', 'data/echo': 'fresh' })
  p.remove()
})

test('a folder declared with uses is in the key', () => {
  const p = new TempProject(FILES)
  p.build()
  p.write({ 'conf/settings.ini': 'x=2\n' })
  assert.match(p.coin('why', 'data/run').stdout, 'conf used by the command changed')
  assert.equal(p.build().outcomes, { 'data/run': 'ran', 'data/echo': 'fresh' })
  p.remove()
})

test('a uses entry that does not exist is a diagnostic naming the rule', () => {
  const p = new TempProject({
    ...FILES,
    'Coinfile.ts': FILES['Coinfile.ts'].replace("uses: ['conf']", "uses: ['nope']"),
  })
  const r = p.coin('build')
  assert.is(r.code, 2, r.stderr)
  assert.match(r.stderr, 'declares uses: "nope"')
  p.remove()
})

test.run()
