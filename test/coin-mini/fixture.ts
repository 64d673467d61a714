import { rmSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type BuiltSplit, buildSplit } from '../../datasets/coin-mini/build-split.ts'
import {
  DEFAULT_TEST_SIZE,
  DEFAULT_TRAIN_SIZE,
  originalInstructions,
} from '../../datasets/coin-mini/generate.ts'
import type { TestRecord, TrainRecord } from '../../datasets/coin-mini/records.ts'
import { COIN_TASKS, type CoinTask } from '../../datasets/coin-mini/tasks.ts'

/** Shared test data: CoIN-mini at its default sizes and seed 0, built once per test process. */
export interface TaskData {
  task: CoinTask
  train: BuiltSplit<TrainRecord>
  test: BuiltSplit<TestRecord>
}

let data: Promise<TaskData[]> | undefined
export function defaultDataset(): Promise<TaskData[]> {
  data ??= (async () => {
    const instructions = await originalInstructions()
    return COIN_TASKS.map((task) => ({
      task,
      train: buildSplit(task, 'train', DEFAULT_TRAIN_SIZE, 0, instructions(task)),
      test: buildSplit(task, 'test', DEFAULT_TEST_SIZE, 0, instructions(task)),
    }))
  })()
  return data
}

const tempDirs = new Set<string>()
process.once('exit', () => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true })
})

/** A fresh temporary directory, removed when the test process exits. */
export async function tempDir(label: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `coin-${label}-`))
  tempDirs.add(dir)
  return dir
}

/** The one answer a test record is scored against most (TextVQA lists ten human answers). */
export function mainAnswer(answer: string | string[]): string {
  if (typeof answer === 'string') return answer
  const counts = new Map<string, number>()
  for (const a of answer) counts.set(a, (counts.get(a) ?? 0) + 1)
  return [...counts].sort((a, b) => b[1] - a[1])[0]![0]
}
