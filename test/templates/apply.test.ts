import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { applyTemplate, fillRef, loadTemplateSet } from '../../rules/templates/index.ts'
import { UserError } from '../../src/errors.ts'
import { defaultDataset } from '../coin-mini/fixture.ts'

const ORIGINAL = 'Answer the question using a single word or phrase.'
const NEW = 'Reply in one word.'
const GROUNDING = 'Please provide the bounding box coordinate of the region this sentence describes: {ref}'

function userError(fn: () => unknown): UserError {
  try {
    fn()
  } catch (err) {
    if (err instanceof UserError) return err
    throw err
  }
  throw new Error('expected a UserError')
}

const train = [
  {
    id: 'a',
    image: 'images/GQA/a.json',
    conversations: [
      { from: 'human', value: `<image>\nWhat color is the cat?\n${ORIGINAL}` },
      { from: 'gpt', value: 'red' },
      { from: 'human', value: `And the dog?\n${ORIGINAL}` },
    ],
  },
]
const testRecords = [
  {
    question_id: 'q',
    image: 'images/GQA/q.json',
    text: `What color is the cat?\n${ORIGINAL}`,
    answer: 'red',
  },
]

test('a multi-turn record is re-templated on every human turn, and nothing else changes', () => {
  const [out] = applyTemplate(train, 'gqa', NEW)
  assert.equal(out, {
    id: 'a',
    image: 'images/GQA/a.json',
    conversations: [
      { from: 'human', value: `<image>\nWhat color is the cat?\n${NEW}` },
      { from: 'gpt', value: 'red' },
      { from: 'human', value: `And the dog?\n${NEW}` },
    ],
  })
})

test('a later turn without an instruction line is a user error naming the turn', () => {
  const broken = [
    {
      id: 'b',
      conversations: [
        train[0]!.conversations[0]!,
        { from: 'gpt', value: 'x' },
        { from: 'human', value: 'Why?' },
      ],
    },
  ]
  assert.match(
    userError(() => applyTemplate(broken, 'gqa', NEW)).message,
    /record "b" turn 2 has no instruction line/,
  )
})

test('the embedded learner trains on every answered turn of a multi-turn record', async () => {
  const { trainExamples } = await import('../../rules/coin/files.ts')
  const record = {
    id: 'm',
    conversations: [
      { from: 'human' as const, value: `<image>\nWhat color is the cat?\n${NEW}` },
      { from: 'gpt' as const, value: 'red' },
      { from: 'human' as const, value: `And the dog?\n${NEW}` },
      { from: 'gpt' as const, value: 'brown' },
    ],
  }
  assert.equal(
    trainExamples([record], new Map()).map((e) => [e.prompt, e.answer]),
    [
      [`What color is the cat?\n${NEW}`, 'red'],
      [`And the dog?\n${NEW}`, 'brown'],
    ],
  )
})

test('paraphrase-mixed: each record gets one of the eleven strings by its id, the same every time, all eleven used', async () => {
  const set = await loadTemplateSet('paraphrase-mixed')
  const records = Array.from({ length: 200 }, (_, i) => ({
    question_id: `q${i}`,
    text: `What is it?\n${ORIGINAL}`,
  }))
  const once = applyTemplate(records, 'imagenet', (id) => set('imagenet', id)).map(
    (r) => r.text.split('\n')[1],
  )
  const again = applyTemplate([...records].reverse(), 'imagenet', (id) => set('imagenet', id))
    .map((r) => r.text.split('\n')[1])
    .reverse()
  assert.equal(once, again)
  const used = new Set(once)
  assert.is(used.size, 11)
  assert.ok(used.has('Provide your answer using a single word or a brief phrase.')) // CoIN's eleventh ImageNet string
})

test('rewrites the last line of a test record’s text', () => {
  assert.equal(applyTemplate(testRecords, 'gqa', NEW), [
    { ...testRecords[0], text: `What color is the cat?\n${NEW}` },
  ])
})

test('is pure: the input records are not changed', () => {
  const before = JSON.stringify([train, testRecords])
  const out = applyTemplate(train, 'gqa', NEW)
  applyTemplate(testRecords, 'gqa', NEW)
  assert.is(JSON.stringify([train, testRecords]), before)
  assert.is.not(out[0], train[0])
})

test('keeps multi-line questions (ScienceQA options) and a trailing <image> token', () => {
  const text = 'Which color is it?\nA. red\nB. blue\nAnswer with the letter.'
  assert.is(
    applyTemplate([{ text }], 'scienceqa', NEW)[0]!.text,
    `Which color is it?\nA. red\nB. blue\n${NEW}`,
  )
  const human = { from: 'human', value: `What is it?\n${ORIGINAL}\n<image>` }
  const [out] = applyTemplate([{ conversations: [human] }], 'imagenet', NEW)
  assert.is(out!.conversations[0]!.value, `What is it?\n${NEW}\n<image>`)
})

test('Grounding: the referring expression is carried into the new instruction', () => {
  const line = fillRef(GROUNDING, 'the red cat on the left')
  const instruction = 'Give the box of: {ref}'
  const [conversation] = applyTemplate(
    [{ conversations: [{ from: 'human', value: `<image>\n${line}` }] }],
    'grounding',
    instruction,
  )
  const [question] = applyTemplate(
    [{ text: line, answer_bbox: '[0.10, 0.20, 0.30, 0.40]' }],
    'grounding',
    instruction,
  )
  assert.is(conversation?.conversations[0]?.value, '<image>\nGive the box of: the red cat on the left')
  assert.is(question?.text, 'Give the box of: the red cat on the left')
})

test('swapping to another set and back restores the generated records exactly', async () => {
  const [diverse, original] = [await loadTemplateSet('diverse'), await loadTemplateSet('original')]
  for (const { task, train: trainSplit, test: testSplit } of await defaultDataset()) {
    for (const records of [trainSplit.records, testSplit.records] as const) {
      const swapped = applyTemplate<(typeof records)[number]>(records, task.id, diverse(task.id))
      assert.is.not(JSON.stringify(swapped), JSON.stringify(records), `${task.dir}: the instruction changed`)
      const back = applyTemplate(swapped, task.id, original(task.id))
      assert.is(JSON.stringify(back), JSON.stringify(records), task.dir)
    }
  }
})

test('misuse is a user error naming the record', () => {
  const oneLine = userError(() => applyTemplate([{ question_id: 7, text: 'What is it?' }], 'imagenet', NEW))
  assert.is(oneLine.diagnostic.key, 'record 7')
  assert.match(oneLine.diagnostic.message, 'no instruction line')

  const noRef = userError(() => applyTemplate([{ text: 'x: y' }], 'grounding', 'Give the box.'))
  assert.match(noRef.diagnostic.fix ?? '', '{ref}')

  const noColon = userError(() => applyTemplate([{ id: 'g1', text: 'the red cat' }], 'grounding', GROUNDING))
  assert.is(noColon.diagnostic.key, 'record "g1"')
  assert.match(noColon.diagnostic.message, 'referring expression')

  const twoLines = userError(() => applyTemplate(testRecords, 'gqa', 'one\ntwo'))
  assert.match(twoLines.diagnostic.message, 'one non-empty line')

  const noHuman = userError(() =>
    applyTemplate([{ conversations: [{ from: 'gpt', value: 'x' }] }], 'gqa', NEW),
  )
  assert.match(noHuman.diagnostic.message, 'no human turn')
})

test.run()
