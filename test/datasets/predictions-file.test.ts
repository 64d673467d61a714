import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { DataFileError, loadPredictionsFile } from '../../rules/datasets/index.ts'
import { userError, writeTemp } from './helpers.ts'

const line = (o: unknown) => JSON.stringify(o)
const pred = (i: number) => ({
  question_id: i,
  prompt: 'Q',
  text: `a${i}`,
  answer_id: 'x',
  model_id: 'm',
  metadata: {},
})

test("CoIN's merge.jsonl lines load; blank lines and CRLF endings are skipped", async () => {
  const file = await writeTemp('merge.jsonl', `${line(pred(0))}\r\n\n${line(pred(1))}\n\n`)
  assert.equal(await loadPredictionsFile(file), [pred(0), pred(1)])
})

test('a record problem names the file line, the record and the pointer inside the line', async () => {
  const file = await writeTemp(
    'merge.jsonl',
    [line(pred(0)), '', line({ question_id: 1 }), line(pred(2))].join('\n'),
  )
  const err = (await userError(loadPredictionsFile(file))) as DataFileError
  assert.instance(err, DataFileError)
  assert.is(err.diagnostic.line, 3)
  assert.is(err.diagnostic.key, '/text')
  assert.ok(err.message.includes(file))
  assert.ok(
    err.message.includes('record 1 (line 3) at /text: missing, expected a string (the model output)'),
    err.message,
  )
  assert.ok(err.diagnostic.fix?.includes('JSONL'))
})

test('malformed prediction: question_id null, and a non-object line', async () => {
  const file = await writeTemp(
    'merge.jsonl',
    [line({ question_id: null, text: 'x' }), '"just text"'].join('\n'),
  )
  const err = (await userError(loadPredictionsFile(file))) as DataFileError
  assert.equal(
    err.problems.map((p) => [p.line, p.pointer]),
    [
      [1, '/question_id'],
      [2, ''],
    ],
  )
})

test('invalid JSON on a line reports that line and the column', async () => {
  const file = await writeTemp('merge.jsonl', `${line(pred(0))}\n{"question_id": 1, "text": "b",}\n`)
  const err = (await userError(loadPredictionsFile(file))) as DataFileError
  assert.is(err.diagnostic.line, 2)
  assert.is(err.problems[0]?.column, 32)
  assert.ok(err.message.includes('record 1 (line 2, column 32): invalid JSON'), err.message)
})

test('problems on several lines are all collected', async () => {
  const lines = [line(pred(0)), '{', line({ text: 'x' }), line({ question_id: 3, text: 7 })]
  const err = (await userError(
    loadPredictionsFile(await writeTemp('merge.jsonl', lines.join('\n'))),
  )) as DataFileError
  assert.is(err.malformedRecords, 3)
  assert.equal(
    err.problems.map((p) => p.line),
    [2, 3, 4],
  )
})

test('a JSON array where JSONL was expected is one clear error', async () => {
  const err = await userError(
    loadPredictionsFile(await writeTemp('merge.jsonl', JSON.stringify([pred(0), pred(1)], null, 2))),
  )
  assert.ok(err.message.includes('is one JSON array, but prediction files are JSONL'))
})

test('an empty prediction file loads as no predictions (every test will count as missing)', async () => {
  assert.equal(await loadPredictionsFile(await writeTemp('merge.jsonl', '')), [])
})

test.run()
