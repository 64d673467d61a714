/**
 * Training targets on the embedded learner: `train/base` (pre-training on a generic mixture),
 * `train/<experiment>/<k>-<task>` (one stage of a sequence, continuing the previous stage's
 * checkpoint and, for LoRA methods, its adapter: CoIN's hand-off without merging, DOMAIN.md §1.4)
 * and `train/multitask` (joint training on every task: the upper bound).
 */
import { join } from 'node:path'
import { rule } from '../../src/config/define.ts'
import type { TrainRecord } from '../datasets/index.ts'
import {
  type Example,
  initModel,
  type MethodConfig,
  readCheckpoint,
  train,
  writeCheckpoint,
} from '../learner/index.ts'
import { readJson, readScenes, readTask, TRAIN_FILE, trainExamples } from './files.ts'

export interface Optimisation {
  steps: number
  lr: number
  batchSize: number
  seed: number
  /** onnxruntime threads; checkpoints are byte-identical for the same count. */
  threads: number
}

export interface PretrainParams extends Optimisation {
  model: { featureDim: number; embedDim: number; hidden: number[] }
  /** Share of each task's training records in the generic mixture. */
  fraction: number
}

/** Every `fraction`-th record, deterministically (a fixed stride, so the mixture is stable). */
function takeShare<T>(items: readonly T[], fraction: number): T[] {
  const stride = Math.max(1, Math.round(1 / fraction))
  return items.filter((_, i) => i % stride === 0)
}

async function examplesFrom(dirs: string[], fraction = 1): Promise<Example[]> {
  const all: Example[] = []
  for (const dir of dirs) {
    const { train: records, scenes } = await readTask(dir)
    all.push(...takeShare(trainExamples(records, scenes), fraction))
  }
  return all
}

const onProgress =
  (progress: (p: Record<string, number>) => void) => (p: { step: number; total: number; loss: number }) =>
    progress({ step: p.step, total: p.total, loss: p.loss })

/**
 * The base model: random init, then full training on a small share of every task phrased with a
 * *different* instruction template than the benchmark's, so LoRA methods have features to adapt
 * but the zero-shot row is not already the answer key.
 */
export const pretrain = rule<PretrainParams>({
  name: 'pretrain',
  async run({ inputs, params, out, progress, signal, log }) {
    const vocab = await readJson<string[]>(join(inputs.vocab as string, 'vocab.json'))
    const dirs = Object.keys(inputs)
      .filter((k) => k.startsWith('mix/'))
      .sort()
      .map((k) => inputs[k] as string)
    const data = await examplesFrom(dirs, params.fraction)
    log(`pre-training on ${data.length} examples from ${dirs.length} tasks, vocabulary ${vocab.length}`)
    const ckpt = initModel({ ...params.model, vocab, seed: params.seed })
    const trained = await train(ckpt, { kind: 'full' }, data, {
      ...params,
      signal,
      onProgress: onProgress(progress),
    })
    await writeCheckpoint(out, trained)
  },
})

export interface StageParams extends Optimisation {
  task: string
  method: MethodConfig
}

/** A replay buffer's records (rules/replay: train.json + scenes.jsonl, no test file). */
async function replayExamples(dir: string): Promise<Example[]> {
  const [records, scenes] = await Promise.all([
    readJson<TrainRecord[]>(join(dir, TRAIN_FILE)),
    readScenes(dir),
  ])
  return trainExamples(records, scenes)
}

/**
 * One stage of a sequence. With a `replay` input (a buffer target, rules/replay) its records are
 * appended to the task's training data, as InsCL appends its replay set to the task's file.
 */
export const trainStage = rule<StageParams>({
  name: 'train-stage',
  async run({ inputs, params, out, progress, signal, log }) {
    const ckpt = await readCheckpoint(inputs.model as string)
    const own = await examplesFrom([inputs.data as string])
    const replay = inputs.replay ? await replayExamples(inputs.replay as string) : []
    const data = [...own, ...replay]
    log(
      `${params.method.kind} on ${params.task}: ${own.length} examples + ${replay.length} replayed, ${params.steps} steps, lr ${params.lr}`,
    )
    const trained = await train(ckpt, params.method, data, {
      ...params,
      signal,
      onProgress: onProgress(progress),
    })
    await writeCheckpoint(out, trained)
  },
})

export interface MultitaskParams extends Optimisation {
  method: MethodConfig
}

export const trainMultitask = rule<MultitaskParams>({
  name: 'train-multitask',
  async run({ inputs, params, out, progress, signal, log }) {
    const ckpt = await readCheckpoint(inputs.model as string)
    const dirs = Object.keys(inputs)
      .filter((k) => k.startsWith('data/'))
      .sort()
      .map((k) => inputs[k] as string)
    const data = await examplesFrom(dirs)
    log(`joint training on ${data.length} examples from ${dirs.length} tasks`)
    const trained = await train(ckpt, params.method, data, {
      ...params,
      signal,
      onProgress: onProgress(progress),
    })
    await writeCheckpoint(out, trained)
  },
})
