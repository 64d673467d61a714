/** Bad numbers and lists on the command line are usage errors (exit 2) that name the option. */
import { writeFileSync } from 'node:fs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parseGpus, parseJobs, parseMem } from '../../src/cli/arguments.ts'
import { SIMPLE_COINFILE, TempProject } from '../helpers/project.ts'

test('-j, --gpus and --mem parsers accept what they should and nothing else', () => {
  assert.is(parseJobs('4'), '4')
  for (const bad of ['abc', '0', '-3', '1.5', '', '1e3x', '99999']) assert.throws(() => parseJobs(bad), bad)
  assert.is(parseGpus('0,1'), '0,1')
  assert.is(parseGpus(''), '')
  assert.is(parseGpus('GPU-8a1b2c3d-aaaa-bbbb-cccc-000000000000'), 'GPU-8a1b2c3d-aaaa-bbbb-cccc-000000000000')
  for (const bad of ['abc', '0,x', '1,1', '-1', '0;1']) assert.throws(() => parseGpus(bad), bad)
  assert.is(parseMem('64'), '64')
  for (const bad of ['x', '-1', '']) assert.throws(() => parseMem(bad), bad)
})

test('coin build -j abc / -j 0 / --gpus abc / --cache <a file> exit 2 naming the option', () => {
  const p = new TempProject({ 'Coinfile.ts': SIMPLE_COINFILE, 'a.txt': 'hi\n' })
  for (const [args, mention] of [
    [['-j', 'abc'], /-j/],
    [['-j', '0'], /-j/],
    [['-j', '-3'], /-j/],
    [['--gpus', 'abc'], /GPU id/],
  ] as const) {
    const r = p.coin('build', ...args)
    assert.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`)
    assert.match(r.stderr, mention)
    assert.not.match(r.stderr, /Coinfile\.ts:\d+/, 'does not blame a Coinfile line')
  }
  writeFileSync(p.path('not-a-dir'), '')
  const r = p.coin('--cache', 'not-a-dir', 'build')
  assert.is(r.code, 2, r.stderr)
  assert.match(r.stderr, /--cache/)
  p.remove()
})

test.run()
