import { loadJsonArrayFile } from './json-array-file.ts'
import type { RecordProblem } from './record-problems.ts'
import type { TrainRecord } from './records.ts'
import { TRAIN_RECORD_SHAPE, trainRecordSchema } from './schemas.ts'

/**
 * Loads a CoIN train file: a JSON array of LLaVA conversation records (DOMAIN.md §1.2, read by
 * CoIN's `ETrain/Dataset/LLaVA/llava_dataset.py`). Beyond the schema it checks what LLaVA's
 * preprocessing silently relies on: turns alternate human/gpt starting with human, and the
 * `<image>` token appears exactly once, in the first human turn, iff the record has an image
 * (LLaVA moves the token to the front of its turn itself, so its position is not checked).
 */
export function loadTrainFile(file: string): Promise<TrainRecord[]> {
  return loadJsonArrayFile<TrainRecord>(file, {
    kind: 'train record',
    schema: trainRecordSchema,
    fix: `each train record must look like ${TRAIN_RECORD_SHAPE} (LLaVA conversation format, DOMAIN.md §1.2)`,
    extraChecks: checkConversation,
  })
}

export const IMAGE_TOKEN = '<image>'

function checkConversation(
  record: TrainRecord,
  _index: number,
  base: string,
): Omit<RecordProblem, 'index'>[] {
  const problems: Omit<RecordProblem, 'index'>[] = []
  record.conversations.forEach((turn, k) => {
    const want = k % 2 === 0 ? 'human' : 'gpt'
    if (turn.from !== want) {
      problems.push({
        pointer: `${base}/conversations/${k}/from`,
        found: `got "${turn.from}"`,
        expected: `"${want}" (turns alternate human, gpt, human, ...; the first is human)`,
      })
    }
  })

  const hasImage = record.image !== undefined
  record.conversations.forEach((turn, k) => {
    const tokens = turn.value.split(IMAGE_TOKEN).length - 1
    const allowed = hasImage && k === 0 ? 1 : 0
    if (tokens === allowed) return
    const pointer = `${base}/conversations/${k}/value`
    if (allowed === 1) {
      problems.push({
        pointer,
        found: tokens === 0 ? `no ${IMAGE_TOKEN} token` : `${tokens} ${IMAGE_TOKEN} tokens`,
        expected: `one ${IMAGE_TOKEN} token (the record has an "image"; CoIN writes "${IMAGE_TOKEN}\\n<question>")`,
      })
    } else {
      problems.push({
        pointer,
        found: `${tokens} ${IMAGE_TOKEN} token${tokens === 1 ? '' : 's'}`,
        expected: hasImage
          ? `no ${IMAGE_TOKEN} token (only the first human turn carries it)`
          : `no ${IMAGE_TOKEN} token (the record has no "image"; add one or drop the token)`,
      })
    }
  })
  return problems
}
