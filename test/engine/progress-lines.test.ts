/** The progress line protocol: which stdout lines are progress, and whole lines from chunks. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { lineSplitter, parseProgressLine } from '../../src/exec/progress-lines.ts'

test('a protocol line becomes progress with its metrics', () => {
  assert.equal(parseProgressLine('{"coin":"progress","step":120,"total":600,"loss":0.52,"lr":0.0002}'), {
    step: 120,
    total: 600,
    loss: 0.52,
    lr: 0.0002,
  })
  assert.equal(parseProgressLine('  {"coin":"progress","message":"loading"}\r'), { message: 'loading' })
})

test('"resumed" is the step a run resumed at (a non-negative integer)', () => {
  assert.equal(parseProgressLine('{"coin":"progress","resumed":400,"step":400,"total":600}'), {
    resumed: 400,
    step: 400,
    total: 600,
  })
  assert.is(parseProgressLine('{"coin":"progress","resumed":2.5}'), null)
  assert.is(parseProgressLine('{"coin":"progress","resumed":"400"}'), null)
})

test('other lines, and malformed protocol lines, are not progress', () => {
  for (const line of [
    'step 3 loss 0.5',
    '{"step":1}',
    '{"coin":"other","step":1}',
    '{"coin":"progress","step":1.5}',
    '{"coin":"progress","step":-1}',
    '{"coin":"progress","message":3}',
    '{"coin":"progress","loss":{"a":1}}',
    '{"coin":"progress","loss":null}',
    '{"coin":"progress", broken',
    '["coin","progress"]',
  ])
    assert.is(parseProgressLine(line), null, line)
})

test('lines split across chunks are joined; the unterminated rest comes out on flush', () => {
  const lines: string[] = []
  const s = lineSplitter((l) => lines.push(l))
  s.push('{"coin":"pro')
  s.push('gress","step":1}\nplain\n{"coin"')
  assert.equal(lines, ['{"coin":"progress","step":1}', 'plain'])
  s.push(':"progress","step":2}')
  s.flush()
  assert.equal(lines.at(-1), '{"coin":"progress","step":2}')
})

test.run()
