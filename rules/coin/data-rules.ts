/**
 * Data targets: `datasets/coin-mini` (the bundled benchmark, generated from a seed),
 * `datasets/<task>` (validated, subsampled CoIN files), `prompts/<task>@<template>` (instruction
 * templates applied), `datasets/alignment` (the generic pre-training task, described from the tasks'
 * training scenes) and `datasets/vocab` (the answer vocabulary the embedded learner classifies over).
 */
import { copyFile, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { alignmentRecords, languageRecords } from '../../datasets/coin-mini/alignment.ts'
import { generateCoinMini } from '../../datasets/coin-mini/index.ts'
import { rule } from '../../src/config/define.ts'
import { UserError } from '../../src/errors.ts'
import { findTaskFiles, normalizeTask, type TestRecord, type TrainRecord } from '../datasets/index.ts'
import type { Scene } from '../learner/index.ts'
import { applyTemplate, loadTemplateSet, type TemplateSetName } from '../templates/index.ts'
import { readJson, readScenes, SCENES_FILE, TEST_FILE, TRAIN_FILE, writeJson } from './files.ts'

export const coinMini = rule<{ seed: number; train: number; test: number }>({
  name: 'coin-mini',
  params: { seed: 0, train: 1, test: 1 },
  async run({ params, out, progress }) {
    progress({ message: `generating CoIN-mini (seed ${params.seed})` })
    await generateCoinMini(out, { seed: params.seed, train: params.train, test: params.test })
  },
})

/**
 * Reads a task from a CoIN-layout folder (the bundled data or the real release), validates every
 * record, keeps `fraction` of the train set (CoIN's data-volume study), and collects the scenes
 * the kept records reference into scenes.jsonl.
 */
export const prepareTask = rule<{ task: string; fraction: number; testFraction: number; seed: number }>({
  name: 'prepare-task',
  params: { task: '', fraction: 1, testFraction: 1, seed: 0 },
  async run({ inputs, params, out, log }) {
    const root = inputs.source as string
    const files = await findTaskFiles(root, params.task)
    const result = await normalizeTask({
      task: params.task,
      trainFile: files.train,
      testFile: files.test,
      outDir: out,
      fraction: params.fraction,
      testFraction: params.testFraction,
      seed: params.seed,
    })
    log(
      `${result.task}: kept ${result.train.kept}/${result.train.total} train, ${result.test.kept}/${result.test.total} test`,
    )
    const train = await readJson<TrainRecord[]>(join(out, TRAIN_FILE))
    const test = await readJson<TestRecord[]>(join(out, TEST_FILE))
    const images = [...new Set([...train, ...test].flatMap((r) => (r.image ? [r.image] : [])))].sort()
    const lines: string[] = []
    for (const image of images) {
      // Bundled scenes are JSON files; real CoIN images are pixels, which the embedded learner cannot read.
      if (!image.endsWith('.json')) continue
      lines.push(JSON.stringify({ image, scene: await readScene(root, image, params.task) }))
    }
    await writeFile(join(out, SCENES_FILE), lines.length ? `${lines.join('\n')}\n` : '')
  },
})

/** A bundled scene file a record points at; a missing one names the folder and the record's field. */
async function readScene(root: string, image: string, task: string): Promise<unknown> {
  const path = join(root, image)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    throw new UserError({
      message: `task ${task}: image ${image} is missing (${path})`,
      file: path,
      key: 'image',
      fix: `the records' "image" paths are relative to the data folder: put the images/ folder next to the task folders in ${root}`,
    })
  }
  try {
    return JSON.parse(text)
  } catch (e) {
    throw new UserError({
      message: `task ${task}: scene file ${image} is not JSON (${(e as Error).message})`,
      file: path,
      fix: 'regenerate the data, or point data.source at an intact copy',
    })
  }
}

export const prompts = rule<{ task: string; template: string }>({
  name: 'prompts',
  params: { task: '', template: '' },
  async run({ inputs, params, out }) {
    const dir = inputs.task as string
    const set = await loadTemplateSet(params.template as TemplateSetName, inputs.templates as string)
    const instruction = (id: string | number | undefined) => set(params.task, id)
    const train = await readJson<TrainRecord[]>(join(dir, TRAIN_FILE))
    const test = await readJson<TestRecord[]>(join(dir, TEST_FILE))
    await writeJson(join(out, TRAIN_FILE), applyTemplate(train, params.task, instruction))
    await writeJson(join(out, TEST_FILE), applyTemplate(test, params.task, instruction))
    await copyFile(join(dir, SCENES_FILE), join(out, SCENES_FILE))
  },
})

/** The union of every task's training answers, sorted: the embedded learner's output classes. */
export const vocabulary = rule({
  name: 'vocab',
  async run({ inputs, out }) {
    const answers = new Set<string>()
    for (const dir of Object.values(inputs) as string[]) {
      for (const r of await readJson<TrainRecord[]>(join(dir, TRAIN_FILE)))
        for (const t of r.conversations) if (t.from === 'gpt') answers.add(t.value)
    }
    await writeJson(join(out, 'vocab.json'), [...answers].sort())
  },
})

/**
 * The generic alignment task (datasets/coin-mini/alignment.ts) from the training scenes of every
 * prepared task given as input, plus the language half (every answer string said from text alone,
 * standing in for the LLM's knowledge of words): what the base model is pre-trained on instead of
 * the tasks, so the zero-shot row is a model that never saw their questions. Written as a prepared task (train.json, an empty
 * test.json, scenes.jsonl) so the training rules read it like any other.
 */
export const alignment = rule<{ seed: number }>({
  name: 'alignment',
  params: { seed: 0 },
  async run({ inputs, params, out, log }) {
    const scenes = new Map<string, Scene>()
    const answers: string[] = []
    for (const key of Object.keys(inputs).sort()) {
      const dir = inputs[key] as string
      const [train, all] = await Promise.all([
        readJson<TrainRecord[]>(join(dir, TRAIN_FILE)),
        readScenes(dir),
      ])
      for (const r of train) {
        for (const t of r.conversations) if (t.from === 'gpt') answers.push(t.value)
        const scene = r.image ? all.get(r.image) : undefined
        if (r.image && scene) scenes.set(r.image, scene)
      }
    }
    if (scenes.size === 0)
      throw new UserError({
        message: 'no scenes to describe: the alignment task is generated from CoIN-mini scenes',
        fix: "pre-train the embedded learner on CoIN-mini (data.source empty); with real images, swap in a GPU trainer and CoIN's stage-1 projector",
      })
    const sorted = new Map([...scenes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    const described = alignmentRecords(sorted, params.seed)
    const said = languageRecords(answers)
    const records = [...described, ...said]
    log(
      `alignment: ${described.length} descriptions of ${sorted.size} training scenes, ${said.length} answers said`,
    )
    await writeJson(join(out, TRAIN_FILE), records)
    await writeJson(join(out, TEST_FILE), [])
    const lines = [...sorted].map(([image, scene]) => JSON.stringify({ image, scene }))
    await writeFile(join(out, SCENES_FILE), `${lines.join('\n')}\n`)
  },
})
