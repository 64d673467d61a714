import { UserError } from '../../src/errors.ts'
import { loadJsonArrayFile } from './json-array-file.ts'
import { lineIndex, readDataFile, topLevelElementOffsets } from './json-text.ts'
import type { TestRecord } from './records.ts'
import {
  GROUNDING_TEST_RECORD_SHAPE,
  groundingTestRecordSchema,
  TEST_RECORD_SHAPE,
  testRecordSchema,
} from './schemas.ts'
import { toTaskId } from './tasks.ts'

/**
 * Loads a CoIN test file (`test.json`, or `val.json` for TextVQA/VizWiz/VQAv2): a JSON array of
 * `{question_id, image, text, answer}` (DOMAIN.md §1.2, read by CoIN's `model_vqa.py`). With
 * `task` = grounding, `answer_bbox` and `size` are required instead of `answer` (`eval_grounding.py`
 * reads only those), and a record without `answer` gets `answer_bbox` as its answer, CoIN's own
 * fallback. A question_id may appear once: scorers pair predictions by id, and CoIN's scripts
 * build dicts keyed by it, so a repeated id would silently drop a record.
 */
export async function loadTestFile(file: string, task?: string): Promise<TestRecord[]> {
  const grounding = task !== undefined && toTaskId(task, { key: 'task' }) === 'grounding'
  const fix = grounding
    ? `each grounding test record must look like ${GROUNDING_TEST_RECORD_SHAPE} (DOMAIN.md §1.2)`
    : `each test record must look like ${TEST_RECORD_SHAPE} (DOMAIN.md §1.2)`
  const records = await loadJsonArrayFile<TestRecord>(file, {
    kind: 'test record',
    schema: grounding ? groundingTestRecordSchema : testRecordSchema,
    fix,
  })
  await rejectDuplicateIds(file, records)
  return records.map((r) => (r.answer === undefined ? { ...r, answer: r.answer_bbox as string } : r))
}

async function rejectDuplicateIds(file: string, records: readonly TestRecord[]): Promise<void> {
  const first = new Map<string, number>()
  for (const [index, r] of records.entries()) {
    const id = String(r.question_id)
    const earlier = first.get(id)
    if (earlier === undefined) {
      first.set(id, index)
      continue
    }
    const text = await readDataFile(file)
    const offsets = topLevelElementOffsets(text)
    const at = lineIndex(text)
    const line = (i: number) => (offsets[i] === undefined ? undefined : at(offsets[i]!).line)
    throw new UserError({
      message: `${file}: question_id ${JSON.stringify(r.question_id)} appears twice (records ${earlier} and ${index}, lines ${line(earlier)} and ${line(index)})`,
      file,
      line: line(index),
      key: `/${index}/question_id`,
      fix: 'give every test record its own question_id (remove the repeated record, or renumber it)',
    })
  }
}
