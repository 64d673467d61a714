import { GENERATORS } from './generators/index.ts'
import { deriveSeed, mulberry32 } from './prng.ts'
import { type TestRecord, type TrainRecord, testRecord, trainRecord } from './records.ts'
import type { Sample } from './sample.ts'
import type { Scene } from './scene.ts'
import type { CoinTask } from './tasks.ts'

/**
 * One split of one task, in memory: the records in CoIN's format and the scene each `image` path
 * names. Pure (no I/O), so tests and other tools can use the data without writing it.
 */
export interface BuiltSplit<R> {
  records: R[]
  /** Scene files by their path relative to the output root (the records' `image`). */
  scenes: Map<string, Scene>
}

/** Ids are zero-padded to this many digits, which bounds the split sizes. */
export const ID_DIGITS = 5

/** The instruction line of a sample's prompt (Grounding's carries the sample's ref). */
export type InstructionFor = (sample: Sample) => string

export function buildSplit(
  task: CoinTask,
  split: 'train',
  size: number,
  seed: number,
  instructionFor: InstructionFor,
): BuiltSplit<TrainRecord>
export function buildSplit(
  task: CoinTask,
  split: 'test',
  size: number,
  seed: number,
  instructionFor: InstructionFor,
): BuiltSplit<TestRecord>
export function buildSplit(
  task: CoinTask,
  split: 'train' | 'test',
  size: number,
  seed: number,
  instructionFor: InstructionFor,
): BuiltSplit<TrainRecord | TestRecord> {
  // Each task and split has its own stream, so a subset of tasks gets the same bytes as all eight.
  const rng = mulberry32(deriveSeed(seed, `${task.id}/${split}`))
  const generate = GENERATORS[task.id]
  const records: (TrainRecord | TestRecord)[] = []
  const scenes = new Map<string, Scene>()
  for (let i = 0; i < size; i++) {
    const sample = generate(rng)
    const id = `${task.id}-${split}-${String(i).padStart(ID_DIGITS, '0')}`
    const image = `images/${task.dir}/${id}.json`
    scenes.set(image, sample.scene)
    records.push(
      split === 'train'
        ? trainRecord(id, image, sample, instructionFor(sample))
        : testRecord(task, id, image, sample, instructionFor(sample)),
    )
  }
  return { records, scenes }
}
