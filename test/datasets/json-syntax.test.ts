import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { findJsonSyntaxError } from '../../rules/datasets/json-syntax.ts'
import { lineIndex, topLevelElementOffsets } from '../../rules/datasets/json-text.ts'

test('valid JSON has no syntax error', () => {
  for (const text of ['[]', ' {"a": [1, -2.5e3, true, null, "x\\u00e9\\n"]} ', '0', '"s"']) {
    assert.is(findJsonSyntaxError(text), undefined, text)
  }
})

test('the scanner points where JSON.parse gives up, including cases V8 reports without a position', () => {
  const cases: [string, number, string][] = [
    ['[tru]', 1, 'expected a JSON value'],
    ['{"a": 1,}', 8, 'double-quoted property name'],
    ['[1 2]', 3, "expected ',' or ']'"],
    ['{"a" 1}', 5, "expected ':'"],
    ['[01]', 2, 'invalid number'],
    ['[1.]', 2, 'invalid number'],
    ['["a\tb"]', 3, 'control character'],
    ['["\\q"]', 2, 'bad escape'],
    ['[1] x', 4, 'unexpected content'],
    ['["abc', 5, 'unterminated string'],
    ['', 0, 'found end of input'],
  ]
  for (const [text, offset, reason] of cases) {
    assert.throws(() => JSON.parse(text))
    const found = findJsonSyntaxError(text)
    assert.is(found?.offset, offset, text)
    assert.ok(found?.reason.includes(reason), `${text}: ${found?.reason}`)
  }
})

test('lineIndex maps offsets to 1-based lines and columns', () => {
  const at = lineIndex('ab\ncd\n\nef')
  assert.equal(at(0), { line: 1, column: 1 })
  assert.equal(at(4), { line: 2, column: 2 })
  assert.equal(at(6), { line: 3, column: 1 })
  assert.equal(at(8), { line: 4, column: 2 })
})

test('topLevelElementOffsets finds each record start, ignoring brackets and commas in strings', () => {
  const text = '[ {"a": "],[{"}, [1, [2]] ,\n"x\\"," , 3]'
  assert.equal(topLevelElementOffsets(text), [2, 17, 28, 37])
  assert.equal(topLevelElementOffsets('[]'), [])
})

test.run()
