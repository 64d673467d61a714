import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { DataFileError, loadTrainFile, type TrainRecord } from '../../rules/datasets/index.ts'
import { assertNamesRecord, userError, writeTemp } from './helpers.ts'

const good = (i: number): TrainRecord => ({
  id: `q${i}`,
  image: `COCO2014/train2014/${i}.jpg`,
  conversations: [
    {
      from: 'human',
      value: '<image>\nWhat is in the image?\nAnswer the question using a single word or phrase.',
    },
    { from: 'gpt', value: 'cat' },
  ],
})
const textOnly: TrainRecord = {
  question_id: 9,
  conversations: [
    { from: 'human', value: 'Which is a mammal?\nA. whale\nB. shark' },
    { from: 'gpt', value: 'A' },
    { from: 'human', value: 'Why?' },
    { from: 'gpt', value: 'It breathes air.' },
  ],
}

test('a valid file loads as is, extra fields kept', async () => {
  const records = [good(0), textOnly, { ...good(2), source: 'coco' }]
  const file = await writeTemp('train.json', records)
  assert.equal(await loadTrainFile(file), records)
})

/** One malformed record at index 1 of a 3-record file, and where the problem must be reported. */
const MALFORMED: { name: string; record: unknown; pointer: string }[] = [
  {
    name: 'a turn value that is a number',
    record: { ...good(1), conversations: [good(1).conversations[0], { from: 'gpt', value: 42 }] },
    pointer: '/1/conversations/1/value',
  },
  {
    name: 'a speaker other than human/gpt',
    record: {
      ...good(1),
      conversations: [
        { from: 'user', value: '<image>\nQ' },
        { from: 'gpt', value: 'A' },
      ],
    },
    pointer: '/1/conversations/0/from',
  },
  { name: 'no conversations', record: { id: 'x', image: 'a.jpg' }, pointer: '/1/conversations' },
  { name: 'neither id nor question_id', record: { ...good(1), id: undefined }, pointer: '/1/id' },
  { name: 'an image that is not a string', record: { ...good(1), image: ['a.jpg'] }, pointer: '/1/image' },
  {
    name: 'conversations that is not an array',
    record: { ...good(1), conversations: 'hi' },
    pointer: '/1/conversations',
  },
  {
    name: 'a single turn (no answer)',
    record: { ...good(1), conversations: [good(1).conversations[0]] },
    pointer: '/1/conversations',
  },
  {
    name: 'turns that start with gpt',
    record: {
      ...good(1),
      image: undefined,
      conversations: [
        { from: 'gpt', value: 'A' },
        { from: 'human', value: 'Q' },
      ],
    },
    pointer: '/1/conversations/0/from',
  },
  {
    name: 'an image but no <image> token',
    record: {
      ...good(1),
      conversations: [
        { from: 'human', value: 'Q' },
        { from: 'gpt', value: 'A' },
      ],
    },
    pointer: '/1/conversations/0/value',
  },
  {
    name: 'an <image> token but no image',
    record: { ...good(1), image: undefined },
    pointer: '/1/conversations/0/value',
  },
  { name: 'a record that is null', record: null, pointer: '/1' },
  {
    name: 'a turn without value',
    record: { ...good(1), conversations: [good(1).conversations[0], { from: 'gpt' }] },
    pointer: '/1/conversations/1/value',
  },
]

for (const { name, record, pointer } of MALFORMED) {
  test(`malformed train record: ${name}`, async () => {
    const file = await writeTemp('train.json', [good(0), record, good(2)])
    const err = await userError(loadTrainFile(file))
    assert.instance(err, DataFileError)
    assertNamesRecord(err, file, 1, pointer)
    assert.is(err.diagnostic.key, pointer)
    assert.is(err.diagnostic.line, 16) // pretty-printed: record 0 spans lines 2-15
    assert.is((err as DataFileError).malformedRecords, 1)
  })
}

test('problems across records are collected; 5 are shown and the rest counted', async () => {
  const bad = {
    ...good(0),
    conversations: [
      { from: 'bot', value: 1 },
      { from: 'gpt', value: 'A' },
    ],
  }
  const file = await writeTemp('train.json', [bad, bad, bad, good(3)])
  const err = (await userError(loadTrainFile(file))) as DataFileError
  assert.is(err.malformedRecords, 3)
  assert.is(err.problems.length, 6) // each bad record: bad "from" and bad "value"
  assert.ok(err.message.includes('3 malformed records'))
  assert.ok(err.message.includes('/2/conversations/0/from'))
  assert.ok(err.message.includes('... and 1 more problems'))
  assert.is(err.message.split('\n').filter((l) => l.startsWith('  record ')).length, 5)
})

test('two <image> tokens in the first turn, or one in a later turn, are reported', async () => {
  const twice = {
    ...good(0),
    conversations: [
      { from: 'human', value: '<image>\n<image>\nQ' },
      { from: 'gpt', value: 'A' },
    ],
  }
  const later = {
    ...good(1),
    conversations: [
      ...good(1).conversations,
      { from: 'human', value: '<image>' },
      { from: 'gpt', value: 'B' },
    ],
  }
  const file = await writeTemp('train.json', [twice, later])
  const err = (await userError(loadTrainFile(file))) as DataFileError
  assert.equal(
    err.problems.map((p) => p.pointer),
    ['/0/conversations/0/value', '/1/conversations/2/value'],
  )
})

test.run()
