import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import pLimit from 'p-limit'
import { fillRef, loadTemplateSet } from '../../rules/templates/index.ts'
import { UserError } from '../../src/errors.ts'
import { buildSplit, ID_DIGITS, type InstructionFor } from './build-split.ts'
import { formatJsonArray } from './records.ts'
import type { Scene } from './scene.ts'
import { COIN_TASK_IDS, COIN_TASKS, type CoinTask, type CoinTaskId, findCoinTask } from './tasks.ts'

/**
 * CoIN-mini: the bundled default benchmark, generated from a seed instead of downloaded. Writes,
 * under `outDir`, CoIN's layout: `<TaskDir>/train.json`, `<TaskDir>/<test.json|val.json>` and one
 * scene file per record at `images/<TaskDir>/<id>.json` (the records' `image` paths are relative
 * to `outDir`), plus `coin-mini.json` recording how it was made. Prompts end with CoIN's original
 * instructions (datasets/templates/original.json).
 *
 * The same seed and sizes give byte-identical files; existing files are overwritten, others left.
 */
export interface GenerateOptions {
  seed: number
  /** Train records per task (default 600). */
  train?: number
  /** Test records per task (default 150). */
  test?: number
  /** Task ids or CoIN directory names; default all eight. Written in CoIN order either way. */
  tasks?: string[]
}

export interface GeneratedTask {
  task: CoinTaskId
  dir: string
  train: number
  test: number
}

export const DEFAULT_TRAIN_SIZE = 600
export const DEFAULT_TEST_SIZE = 150
/** Bumped whenever a change to the generator changes its output for a seed. */
export const GENERATOR_VERSION = 1
const MAX_SPLIT_SIZE = 10 ** ID_DIGITS - 1

/** Scene files are small and many; a few dozen writes in flight keep the disk busy. */
const WRITE_CONCURRENCY = 32

export async function generateCoinMini(
  outDir: string,
  opts: GenerateOptions,
): Promise<{ tasks: GeneratedTask[] }> {
  const seed = checkSeed(opts.seed)
  const train = checkSize('train', opts.train ?? DEFAULT_TRAIN_SIZE)
  const test = checkSize('test', opts.test ?? DEFAULT_TEST_SIZE)
  const tasks = selectTasks(opts.tasks)
  const instructionForTask = await originalInstructions()
  const limit = pLimit(WRITE_CONCURRENCY)

  const generated: GeneratedTask[] = []
  for (const task of tasks) {
    const instructionFor = instructionForTask(task)
    const trainSplit = buildSplit(task, 'train', train, seed, instructionFor)
    const testSplit = buildSplit(task, 'test', test, seed, instructionFor)
    const files = new Map<string, string>([
      [join(task.dir, 'train.json'), formatJsonArray(trainSplit.records)],
      [join(task.dir, task.testFile), formatJsonArray(testSplit.records)],
    ])
    for (const [path, scene] of [...trainSplit.scenes, ...testSplit.scenes]) files.set(path, sceneFile(scene))
    await mkdir(join(outDir, task.dir), { recursive: true })
    await mkdir(join(outDir, 'images', task.dir), { recursive: true })
    await Promise.all([...files].map(([path, text]) => limit(() => writeFile(join(outDir, path), text))))
    generated.push({ task: task.id, dir: task.dir, train, test })
  }
  const manifest = { generator: 'coin-mini', version: GENERATOR_VERSION, seed, train, test, tasks: generated }
  await writeFile(join(outDir, 'coin-mini.json'), `${JSON.stringify(manifest, null, 2)}\n`)
  return { tasks: generated }
}

/** The instruction line for each task's samples: CoIN's original template, ref filled in. */
export async function originalInstructions(): Promise<(task: CoinTask) => InstructionFor> {
  const templates = await loadTemplateSet('original')
  return (task) => {
    const template = templates(task.id)
    return (sample) => fillRef(template, sample.ref)
  }
}

export function sceneFile(scene: Scene): string {
  return `${JSON.stringify(scene)}\n`
}

function checkSeed(seed: unknown): number {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new UserError({
      message: `seed must be an integer from 0 to 4294967295, got ${JSON.stringify(seed)}`,
      key: 'seed',
      fix: 'pass a whole number, e.g. --seed 0',
    })
  }
  return seed
}

function checkSize(split: 'train' | 'test', n: unknown): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_SPLIT_SIZE) {
    throw new UserError({
      message: `${split} size must be an integer from 1 to ${MAX_SPLIT_SIZE}, got ${JSON.stringify(n)}`,
      key: split,
      fix: `pass a count of ${split} records per task, e.g. ${split === 'train' ? DEFAULT_TRAIN_SIZE : DEFAULT_TEST_SIZE}`,
    })
  }
  return n
}

function selectTasks(names: readonly string[] | undefined): CoinTask[] {
  if (names === undefined) return [...COIN_TASKS]
  const wanted = new Set<CoinTaskId>()
  for (const name of names) {
    const task = findCoinTask(name)
    if (!task) {
      throw new UserError({
        message: `unknown task "${name}"`,
        key: 'tasks',
        fix: `use any of: ${COIN_TASK_IDS.join(', ')}`,
      })
    }
    wanted.add(task.id)
  }
  if (wanted.size === 0) {
    throw new UserError({
      message: 'no tasks to generate',
      key: 'tasks',
      fix: 'name at least one task, or leave tasks out for all eight',
    })
  }
  return COIN_TASKS.filter((t) => wanted.has(t.id))
}
