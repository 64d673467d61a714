/**
 * A rule's UserError (a malformed record, a method mismatch) reaches the user as a diagnostic:
 * file, key and fix, exit 2 like any bad input; a plain error inside a rule is a failed target
 * (exit 1). Nothing is cached for either.
 */
import { existsSync, readdirSync } from 'node:fs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { BuildEvent } from '../../src/events.ts'
import { TempProject } from '../helpers/project.ts'

const COINFILE = `
import { defineCoinfile, rule, UserError } from 'coin'

const strict = rule({
  name: 'strict',
  run() {
    throw new UserError({
      message: 'record 3 has no answer',
      file: 'data/train.json',
      line: 12,
      key: 'records[3].answer',
      fix: 'add an "answer" field to record 3',
    })
  },
})
const buggy = rule({ name: 'buggy', run() { throw new TypeError('x is undefined') } })

export default defineCoinfile({ targets: () => [strict('t/strict'), buggy('t/buggy')] })
`

test("a rule's UserError keeps file, line, key and fix, and the build exits 2", () => {
  const p = new TempProject({ 'Coinfile.ts': COINFILE })
  const r = p.build('t/strict')
  assert.is(r.code, 2, r.stderr)
  assert.match(r.stderr, 'data/train.json:12: record 3 has no answer')
  assert.match(r.stderr, 'key: records[3].answer')
  assert.match(r.stderr, 'fix: add an "answer" field to record 3')
  const ev = r.events.find((e) => e.event === 'target' && e.id === 't/strict') as Extract<
    BuildEvent,
    { event: 'target' }
  >
  assert.is(ev.outcome, 'failed')
  assert.equal(ev.diagnostic, {
    message: 'record 3 has no answer',
    file: 'data/train.json',
    line: 12,
    key: 'records[3].answer',
    fix: 'add an "answer" field to record 3',
  })
  assert.not.ok(existsSync(p.path('cache/actions')) && readdirSync(p.path('cache/actions')).length > 0)
  // The plain reporter prints the same diagnostic.
  const plain = p.coin('build', 't/strict')
  assert.is(plain.code, 2)
  assert.match(plain.stderr, 'fix: add an "answer" field to record 3')
  p.remove()
})

test('any other error inside a rule fails the target (exit 1), without a diagnostic', () => {
  const p = new TempProject({ 'Coinfile.ts': COINFILE })
  const r = p.build('t/buggy')
  assert.is(r.code, 1, r.stderr)
  const ev = r.events.find((e) => e.event === 'target' && e.id === 't/buggy') as Extract<
    BuildEvent,
    { event: 'target' }
  >
  assert.is(ev.error, 'x is undefined')
  assert.is(ev.diagnostic, undefined)
  p.remove()
})

test.run()
