import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { loadTestFile, type TestRecord } from '../../rules/datasets/index.ts'
import { assertNamesRecord, userError, writeTemp } from './helpers.ts'

const vqa = (i: number): TestRecord => ({
  question_id: i,
  image: `COCO2014/val2014/${i}.jpg`,
  text: 'What color is the bus?\nAnswer the question using a single word or phrase.',
  answer: 'red',
})
const grounding = (i: number): TestRecord => ({
  question_id: `g${i}`,
  image: `COCO2014/train2014/${i}.jpg`,
  text: 'Please provide the bounding box coordinate of the region this sentence describes: man on the left',
  answer: '[0.1, 0.2, 0.5, 0.6]',
  answer_bbox: '[0.1, 0.2, 0.5, 0.6]',
  size: [640, 480],
})

test('valid test files load: one answer, ten answers, grounding boxes', async () => {
  const records = [vqa(0), { ...vqa(1), answer: Array(10).fill('red') as string[] }]
  assert.equal(await loadTestFile(await writeTemp('val.json', records), 'textvqa'), records)
  const boxes = [grounding(0), { ...grounding(1), answer_bbox: '0.1,0.2,0.5,0.6' }]
  assert.equal(await loadTestFile(await writeTemp('test.json', boxes), 'grounding'), boxes)
})

test('a grounding record without "answer" loads, with answer_bbox as its answer (CoIN\'s fallback)', async () => {
  const { answer: _, ...bare } = grounding(0)
  const [loaded] = await loadTestFile(await writeTemp('test.json', [bare]), 'grounding')
  assert.is(loaded?.answer, '[0.1, 0.2, 0.5, 0.6]')
  // Other tasks still need an answer.
  const err = await userError(
    loadTestFile(await writeTemp('test.json', [{ ...vqa(0), answer: undefined }]), 'gqa'),
  )
  assert.match(err.message, /answer/)
})

test('a question_id used twice is rejected with both records and lines (12 and "12" are the same id)', async () => {
  const file = await writeTemp('test.json', [vqa(12), vqa(13), { ...vqa(0), question_id: '12' }])
  const err = await userError(loadTestFile(file, 'vqav2'))
  assert.match(err.message, /question_id "12" appears twice \(records 0 and 2, lines \d+ and \d+\)/)
  assert.is(err.diagnostic.key, '/2/question_id')
})

const MALFORMED: { name: string; record: unknown; pointer: string; task?: string }[] = [
  { name: 'no answer', record: { ...vqa(1), answer: undefined }, pointer: '/1/answer' },
  { name: 'an answer that is a number', record: { ...vqa(1), answer: 3 }, pointer: '/1/answer' },
  {
    name: 'an answer list holding a number',
    record: { ...vqa(1), answer: ['red', 2] },
    pointer: '/1/answer',
  },
  { name: 'a boolean question_id', record: { ...vqa(1), question_id: true }, pointer: '/1/question_id' },
  { name: 'no text', record: { ...vqa(1), text: undefined }, pointer: '/1/text' },
  {
    name: 'grounding without answer_bbox',
    record: { ...grounding(1), answer_bbox: undefined },
    pointer: '/1/answer_bbox',
    task: 'grounding',
  },
  {
    name: 'grounding with a 3-number box',
    record: { ...grounding(1), answer_bbox: '[0.1, 0.2, 0.5]' },
    pointer: '/1/answer_bbox',
    task: 'grounding',
  },
  {
    name: 'grounding with a 1-number size',
    record: { ...grounding(1), size: [640] },
    pointer: '/1/size',
    task: 'Grounding',
  },
  {
    name: 'grounding with a zero width',
    record: { ...grounding(1), size: [0, 480] },
    pointer: '/1/size/0',
    task: 'grounding',
  },
]

for (const { name, record, pointer, task } of MALFORMED) {
  test(`malformed test record: ${name}`, async () => {
    const base = task ? grounding : vqa
    const file = await writeTemp('test.json', [base(0), record])
    const err = await userError(loadTestFile(file, task))
    assertNamesRecord(err, file, 1, pointer)
  })
}

test('without task=grounding, a record without a box is fine', async () => {
  const file = await writeTemp('test.json', [{ ...grounding(0), answer_bbox: undefined, size: undefined }])
  assert.is((await loadTestFile(file)).length, 1)
})

test('an unknown task is a user error', async () => {
  const file = await writeTemp('test.json', [vqa(0)])
  const err = await userError(loadTestFile(file, 'coco'))
  assert.ok(err.message.includes('unknown task "coco"'))
})

test('a top-level object is rejected, with a hint for raw annotation files', async () => {
  const file = await writeTemp('TextVQA_0.5.1_val.json', { data: [{ question_id: 1, answers: [] }] })
  const err = await userError(loadTestFile(file))
  assert.ok(err.message.includes('expected a JSON array of test records, got an object'))
  assert.ok(err.diagnostic.fix?.includes('"data" array'))
})

test('an empty array is rejected', async () => {
  const err = await userError(loadTestFile(await writeTemp('test.json', [])))
  assert.ok(err.message.includes('no test records'))
})

test('a JSON syntax error names its line and column', async () => {
  const file = await writeTemp('test.json', '[\n  {"question_id": 1,\n   "text": "x" "answer": "y"}\n]')
  const err = await userError(loadTestFile(file))
  assert.is(err.diagnostic.line, 3)
  assert.ok(err.message.includes('line 3, column 16'), err.message)
  assert.ok(err.message.includes(file))
})

test('a JSONL file where an array was expected gets a JSONL hint', async () => {
  const file = await writeTemp('test.json', `${JSON.stringify(vqa(0))}\n${JSON.stringify(vqa(1))}\n`)
  const err = await userError(loadTestFile(file))
  assert.is(err.diagnostic.line, 2)
  assert.ok(err.diagnostic.fix?.includes('looks like JSONL'))
})

test('a missing file and a byte-order mark', async () => {
  const missing = await userError(loadTestFile('/nonexistent/test.json'))
  assert.ok(missing.message.includes('/nonexistent/test.json: file not found'))
  const bom = await writeTemp('test.json', `\uFEFF${JSON.stringify([vqa(0)])}`)
  assert.is((await loadTestFile(bom)).length, 1)
})

test.run()
