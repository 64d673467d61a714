import { access, mkdir, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { UserError } from '../../src/errors.ts'
import { sampleFraction } from './sample.ts'
import { COIN_TASK_DIRS, findTaskId, type TaskId, toTaskId } from './tasks.ts'
import { loadTestFile } from './test-file.ts'
import { loadTrainFile } from './train-file.ts'

/**
 * What a `datasets/<task>` target does: validate a task's CoIN files, subsample them, and write
 * them back out in the same CoIN formats, so every later stage (templating, training, prediction,
 * scoring) reads one canonical, already-checked `train.json` / `test.json` pair.
 */

export interface TaskFiles {
  task: TaskId
  train: string
  test: string
}

/**
 * Finds a task's files in a CoIN-layout folder: `<root>/<Task>/train.json` plus `test.json`, or
 * `val.json` (CoIN's name for the TextVQA/VizWiz/VQAv2 test sets; SEFE renames them, DOMAIN.md
 * §1.1). The task folder is matched loosely ("ScienceQA", "scienceqa", "OCR-VQA").
 */
export async function findTaskFiles(root: string, task: string): Promise<TaskFiles> {
  const id = toTaskId(task, { key: 'task' })
  let entries: string[]
  try {
    entries = await readdir(root)
  } catch {
    throw new UserError({
      message: `dataset folder ${root} cannot be read`,
      file: root,
      fix: 'point at a folder laid out like CoIN: <root>/<Task>/{train.json, test.json}',
    })
  }
  const dir = entries.find((name) => findTaskId(name) === id)
  if (dir === undefined) {
    throw new UserError({
      message: `${root} has no folder for task ${id}`,
      file: root,
      key: id,
      fix: `add ${join(root, COIN_TASK_DIRS[id])}/ with train.json and test.json (or val.json)`,
    })
  }
  const folder = join(root, dir)
  const train = join(folder, 'train.json')
  const test =
    (await firstExisting([join(folder, 'test.json'), join(folder, 'val.json')])) ?? join(folder, 'test.json')
  return { task: id, train, test }
}

async function firstExisting(paths: string[]): Promise<string | undefined> {
  for (const path of paths) {
    try {
      await access(path)
      return path
    } catch {}
  }
  return undefined
}

export interface NormalizeTaskOptions {
  /** Task id or CoIN folder name. */
  task: string
  trainFile: string
  testFile: string
  /** Where train.json and test.json are written (created if missing). */
  outDir: string
  /** Share of the train records kept, in (0, 1]; CoIN's instruction-volume axis. Default 1. */
  fraction?: number
  /** Share of the test records kept, in (0, 1] (CoIN's "testslim" sets). Default 1. */
  testFraction?: number
  /** Seed of the subsampling. Default 0. */
  seed?: number
}

export interface NormalizedTask {
  task: TaskId
  train: { file: string; kept: number; total: number }
  test: { file: string; kept: number; total: number }
}

export async function normalizeTask(options: NormalizeTaskOptions): Promise<NormalizedTask> {
  const task = toTaskId(options.task, { key: 'task' })
  const seed = options.seed ?? 0
  const [train, test] = await Promise.all([
    loadTrainFile(options.trainFile),
    loadTestFile(options.testFile, task),
  ])
  const keptTrain = sampleFraction(train, options.fraction ?? 1, seed)
  const keptTest = sampleFraction(test, options.testFraction ?? 1, seed)
  for (const [records, total, key] of [
    [keptTrain, train.length, 'fraction'],
    [keptTest, test.length, 'testFraction'],
  ] as const) {
    if (records.length === 0) {
      throw new UserError({
        message: `${key} ${options[key]} of the ${total} records of task ${task} keeps none`,
        key,
        fix: `raise ${key} to at least ${(0.5 / total).toPrecision(2)} so one record remains`,
      })
    }
  }

  await mkdir(options.outDir, { recursive: true })
  const trainOut = join(options.outDir, 'train.json')
  const testOut = join(options.outDir, 'test.json')
  // Records are written as loaded (extra fields and key order kept), compactly: same bytes for the
  // same input, so the output digest, and every key downstream, is stable.
  await Promise.all([
    writeFile(trainOut, JSON.stringify(keptTrain)),
    writeFile(testOut, JSON.stringify(keptTest)),
  ])
  return {
    task,
    train: { file: trainOut, kept: keptTrain.length, total: train.length },
    test: { file: testOut, kept: keptTest.length, total: test.length },
  }
}
