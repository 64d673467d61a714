/** A rule's declared params (by example and by JSON Schema), checked when each target is declared. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { rule } from '../../src/config/define.ts'
import { shell } from '../../src/config/shell.ts'
import { type Diagnostic, UserError } from '../../src/errors.ts'

const diagnosticOf = (f: () => unknown): Diagnostic => {
  try {
    f()
  } catch (err) {
    if (err instanceof UserError) return err.diagnostic
    throw err
  }
  throw new Error('expected a UserError')
}

test('by example: matching kinds pass, a left-out param is the rule’s to default, null takes any kind', () => {
  // null declares "any kind" (so a typed rule can declare a union-typed param).
  const r = rule<{ lr: number; tasks: string[]; method: { kind: string } | string; opt: { steps?: number } }>(
    {
      name: 'r',
      params: { lr: 0.1, tasks: [''], method: null, opt: { steps: 1 } },
      run: () => {},
    },
  )
  r('a', { params: { lr: 1, tasks: ['x', 'y'], method: { kind: 'lora' }, opt: { steps: 3 } } })
  r('b', { params: { lr: 1, tasks: [], method: 'full', opt: {} } as never })
  r('c')
  assert.equal(r.params, { lr: 0.1, tasks: [''], method: null, opt: { steps: 1 } })
})

test('by example: the diagnostic names the target, the param path, both kinds, and the key', () => {
  const r = rule({ name: 'r', params: { opt: { steps: 1 } }, run: () => {} })
  const d = diagnosticOf(() => r('t/1', { params: { opt: { steps: '10' } } } as never))
  assert.is(
    d.message,
    'target "t/1": params.opt.steps must be a number, got the string "10" (rule "r" declares opt.steps: 1)',
  )
  assert.is(d.key, 't/1.params.opt.steps')
  assert.match(d.file ?? '', /param-declarations\.test\.ts$/)
  const u = diagnosticOf(() => r('t/2', { params: { opt: { step: 10 } } } as never))
  assert.match(u.message, 'params.opt has an unknown param "step" for rule "r". Did you mean "steps"?')
  const whole = diagnosticOf(() => r('t/3', { params: [1] } as never))
  assert.match(whole.message, 'target "t/3": params must be an object, got a list')
})

test('by schema: ajv checks every target; a shell rule takes both', () => {
  const s = shell({
    name: 's',
    params: { n: 1 },
    paramSchema: { type: 'object', properties: { n: { type: 'integer', minimum: 1 } } },
    command: () => ({ pieces: Object.assign([''], { raw: [''] }), args: [] }),
  })
  s('ok', { params: { n: 2 } })
  assert.match(
    diagnosticOf(() => s('zero', { params: { n: 0 } })).message,
    'params.n must be >= 1, got the number 0',
  )
  assert.match(diagnosticOf(() => s('half', { params: { n: 1.5 } })).message, 'params.n must be integer')
  assert.match(
    diagnosticOf(() => s('str', { params: { n: 'x' } } as never)).message,
    'params.n must be a number',
  )
})

test('a rule’s declaration itself is checked where the rule is declared', () => {
  assert.match(
    diagnosticOf(() => rule({ name: 'q', params: 3, run: () => {} } as never)).message,
    'rule "q": params must be an object',
  )
  assert.match(
    diagnosticOf(() => rule({ name: 'q', paramSchema: { type: 'numbr' }, run: () => {} })).message,
    'paramSchema is not a valid JSON Schema',
  )
})

test.run()
