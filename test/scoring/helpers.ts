/** Builders for scorer tests: one test record and one prediction, scored through the registry. */
import type { ItemScore, Prediction, TestRecord, Variant } from '../../rules/scoring/index.ts'
import { scoreTask } from '../../rules/scoring/index.ts'

export function testRecord(
  question_id: string | number,
  answer: string | string[],
  extra: Partial<TestRecord> = {},
): TestRecord {
  return {
    question_id,
    image: 'img.jpg',
    text: 'Question?\nAnswer the question using a single word or phrase.',
    answer,
    ...extra,
  }
}

export function prediction(question_id: string | number, text: string): Prediction {
  return { question_id, text, prompt: 'Question?', answer_id: 'x', model_id: 'm', metadata: {} }
}

/** Scores one output against one answer and returns the item's score and parse flag. */
export function scoreOne(
  task: string,
  answer: string | string[],
  output: string,
  variant: Variant = 'coin',
  extra: Partial<TestRecord> = {},
): Pick<ItemScore, 'score' | 'parsed'> {
  const result = scoreTask(task, [testRecord(1, answer, extra)], [prediction(1, output)], variant)
  const item = result.perItem[0]!
  return { score: item.score, parsed: item.parsed }
}
