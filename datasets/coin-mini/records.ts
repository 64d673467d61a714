import type { Sample } from './sample.ts'
import type { CoinTask } from './tasks.ts'

/**
 * CoIN's two record formats (DOMAIN.md §1.2). Train: LLaVA conversations whose human turn is
 * "<image>\n<question>\n<instruction>". Test: the same prompt without "<image>" in `text`, the
 * answer, and for Grounding the box again as `answer_bbox` plus the image `size`. Keys are built
 * in a fixed order so the files are byte-identical for a seed.
 */
export interface TrainRecord {
  id: string
  image: string
  conversations: [{ from: 'human'; value: string }, { from: 'gpt'; value: string }]
}

export interface TestRecord {
  question_id: string
  image: string
  text: string
  answer: string | string[]
  answer_bbox?: string
  size?: [number, number]
}

/** The prompt: the question lines, then the instruction as the last line. */
export function promptText(sample: Sample, instruction: string): string {
  return sample.question ? `${sample.question}\n${instruction}` : instruction
}

export function trainRecord(id: string, image: string, sample: Sample, instruction: string): TrainRecord {
  return {
    id,
    image,
    conversations: [
      { from: 'human', value: `<image>\n${promptText(sample, instruction)}` },
      { from: 'gpt', value: sample.answer },
    ],
  }
}

export function testRecord(
  task: CoinTask,
  questionId: string,
  image: string,
  sample: Sample,
  instruction: string,
): TestRecord {
  const record: TestRecord = {
    question_id: questionId,
    image,
    text: promptText(sample, instruction),
    answer: sample.humanAnswers ?? sample.answer,
  }
  if (task.id === 'grounding') {
    record.answer_bbox = sample.answer
    record.size = [sample.scene.width, sample.scene.height]
  }
  return record
}

/**
 * A JSON array with one record per line: valid JSON, stable bytes, a trailing newline, and about
 * half the size of indented JSON while still diffing line by line.
 */
export function formatJsonArray(records: readonly unknown[]): string {
  if (records.length === 0) return '[]\n'
  return `[\n${records.map((r) => `  ${JSON.stringify(r)}`).join(',\n')}\n]\n`
}
