import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { joinInstruction, splitInstruction } from '../../rules/datasets/index.ts'

test('the last line is the instruction; the body keeps its inner newlines', () => {
  const text =
    "Context: a food web.\nWhich is a producer?\nA. grass\nB. fox\nAnswer with the option's letter from the given choices directly."
  assert.equal(splitInstruction(text), {
    body: 'Context: a food web.\nWhich is a producer?\nA. grass\nB. fox',
    instruction: "Answer with the option's letter from the given choices directly.",
  })
})

test('a single line is all instruction, like Python [:-1] of a one-item list', () => {
  assert.equal(splitInstruction('What is the object in the image?'), {
    body: '',
    instruction: 'What is the object in the image?',
  })
})

test('a trailing newline makes the instruction empty, as split("\\n")[-1] would', () => {
  assert.equal(splitInstruction('Q?\n'), { body: 'Q?', instruction: '' })
})

test('joinInstruction undoes splitInstruction', () => {
  for (const text of ['a\nb\nc', 'only', 'x\n']) {
    const { body, instruction } = splitInstruction(text)
    assert.is(joinInstruction(body, instruction), text)
  }
})

test.run()
