import { loadJsonArrayFile } from './json-array-file.ts'
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
 * `task` = grounding, `answer_bbox` and `size` are required too, because the grounding scorer
 * cannot work without them (`eval_grounding.py` reads both).
 */
export async function loadTestFile(file: string, task?: string): Promise<TestRecord[]> {
  const grounding = task !== undefined && toTaskId(task, { key: 'task' }) === 'grounding'
  return loadJsonArrayFile<TestRecord>(file, {
    kind: 'test record',
    schema: grounding ? groundingTestRecordSchema : testRecordSchema,
    fix: grounding
      ? `each grounding test record must look like ${GROUNDING_TEST_RECORD_SHAPE} (DOMAIN.md §1.2)`
      : `each test record must look like ${TEST_RECORD_SHAPE} (DOMAIN.md §1.2)`,
  })
}
