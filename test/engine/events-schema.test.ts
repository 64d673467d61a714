/**
 * Every `--json` line of build, build --dry-run, status and why validates against the documented
 * JSON Schema (schema/events.schema.json), and target lines share one shape: event, id, outcome.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import AjvModule from 'ajv'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { repoRoot, SIMPLE_COINFILE, TempProject } from '../helpers/project.ts'

const Ajv = AjvModule.default ?? AjvModule
const schema = JSON.parse(readFileSync(join(repoRoot, 'schema', 'events.schema.json'), 'utf8'))
const validate = new Ajv({ allErrors: true }).compile(schema)

const FAILING = SIMPLE_COINFILE.replace(
  "count('data/count', { inputs: { up: output('data/upper') } }),",
  `count('data/count', { inputs: { up: output('data/upper') } }),
    rule({ name: 'boom', run() { throw new Error('boom') } })('data/boom'),
    count('data/after-boom', { inputs: { up: output('data/boom') } }),`,
)

function lines(stdout: string): Record<string, unknown>[] {
  const out = stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>)
  assert.ok(out.length > 0, 'some JSON lines')
  for (const e of out) assert.ok(validate(e), `${JSON.stringify(e)}: ${JSON.stringify(validate.errors)}`)
  return out
}

test('build, dry-run, status and why --json lines all validate; targets share event/id/outcome', () => {
  const p = new TempProject({ 'Coinfile.ts': FAILING, 'a.txt': 'abc' })
  const seen = new Set<string>()
  const collect = (stdout: string) => {
    for (const e of lines(stdout)) {
      if (e.event === 'target') {
        assert.type(e.id, 'string')
        assert.type(e.outcome, 'string')
        seen.add(String(e.outcome))
      }
    }
  }
  collect(p.coin('build', '--dry-run', '--json').stdout)
  collect(p.coin('build', '-k', '--json').stdout)
  collect(p.coin('build', '-k', '--json').stdout)
  collect(p.coin('status', '--json').stdout)
  collect(p.coin('why', '--json', 'data/upper', 'data/after-boom', '--set', 'upper.times=3').stdout)
  p.write({ 'a.txt': 'abcd' })
  collect(p.coin('status', '--json').stdout)
  for (const o of ['fresh', 'ran', 'failed', 'skipped', 'run', 'pending'])
    assert.ok(seen.has(o), `saw outcome ${o}`)
  p.remove()
})

test('the schema rejects the old plan shape and unknown outcomes', () => {
  assert.not.ok(validate({ id: 'a', status: 'fresh' }))
  assert.not.ok(validate({ event: 'target', id: 'a', outcome: 'done', durationMs: 1 }))
  assert.not.ok(validate({ event: 'target', planned: true, id: 'a', outcome: 'ran' }))
  assert.ok(validate({ event: 'target', planned: true, id: 'a', outcome: 'restore' }))
})

test.run()
