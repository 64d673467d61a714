/** A malformed data file read by a rule is bad input: exit 2 with the rule's diagnostic (file, key, fix). */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { TempProject } from '../helpers/project.ts'

test('a malformed CoIN train.json fails its target and the build exits 2 naming the file', () => {
  const p = new TempProject({
    'Coinfile.ts': `
import { defineCoinfile, dir } from 'coin'
import { prepareTask } from 'coin/rules'
export default defineCoinfile({ targets: () => [
  prepareTask('datasets/scienceqa', {
    inputs: { source: dir('data') },
    params: { task: 'scienceqa', fraction: 1, testFraction: 1, seed: 0 },
  }),
] })
`,
    'data/ScienceQA/train.json': '[{"id": "1", "conversations": [}\n',
    'data/ScienceQA/test.json': '[]\n',
  })
  const r = p.coin('build')
  assert.is(r.code, 2, r.stdout + r.stderr)
  assert.match(r.stderr, /train\.json/)
  assert.not.match(r.stderr, /internal error/)
  p.remove()
})

test.run()
