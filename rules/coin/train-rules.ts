/**
 * Training targets on the embedded learner: `train/base` (pre-training on a generic mixture),
 * `train/<experiment>/<k>-<task>` (one stage of a sequence, continuing the previous stage's
 * checkpoint and, for LoRA methods, its adapter: CoIN's hand-off without merging, DOMAIN.md §1.4)
 * and `train/multitask` (joint training on every task: the upper bound).
 */
import { join } from 'node:path'
import { type ParamExamples, type RunContext, rule } from '../../src/config/define.ts'
import { TRAINER_STATE_FILE, type TrainerState, type TrainerStep } from '../../src/results/train-log.ts'
import type { TrainRecord } from '../datasets/index.ts'
import {
  type Example,
  initModel,
  type MethodConfig,
  PROGRESS_EVERY,
  readCheckpoint,
  type Schedule,
  train,
  writeCheckpoint,
} from '../learner/index.ts'
import { readJson, readScenes, readTask, TRAIN_FILE, trainExamples, writeJson } from './files.ts'

export interface Optimisation {
  steps: number
  lr: number
  batchSize: number
  seed: number
  /** onnxruntime threads; checkpoints are byte-identical for the same count. */
  threads: number
  /** Per train() call (one CoIN stage): CoIN's is cosine with warmup ratio 0.03. Default constant. */
  schedule?: Schedule
  /** AdamW decoupled weight decay; CoIN's is 0. */
  weightDecay?: number
}

/** The params every training rule declares (checked per target at load; `null`: any kind). */
const OPTIMISATION: ParamExamples<Optimisation> = {
  steps: 1,
  lr: 0.1,
  batchSize: 1,
  seed: 0,
  threads: 1,
  schedule: null,
  weightDecay: 0.1,
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

/**
 * How often a training target saves its resumable state: about every tenth of the run, on a
 * progress boundary, at most every 1000 steps (a save writes the weights and Adam moments; at
 * ~100 steps/s that is about one save per 10 s of a long run).
 */
export function saveEvery(steps: number): number {
  const tenth = Math.ceil(steps / 10 / PROGRESS_EVERY) * PROGRESS_EVERY
  return Math.min(1000, Math.max(PROGRESS_EVERY, tenth))
}

/**
 * Reports progress and keeps the training curve: the learner reports the mean loss of every
 * window of steps, and each report becomes a `trainer_state.json` entry (Hugging Face Trainer's
 * layout, which scripts/ writes too), so results/coin.duckdb gets a `train_log` for every stage.
 */
function trainingLog(ctx: RunContext<Optimisation>) {
  const { progress, log, scratch, params } = ctx
  const { lr, steps } = params
  let history: TrainerStep[] = []
  return {
    onProgress: (p: { step: number; total: number; loss: number }) => {
      history.push({ step: p.step, loss: p.loss, lr })
      progress({ step: p.step, total: p.total, loss: p.loss })
    },
    /** Resumable: a state in `ctx.scratch` every saveEvery(steps) steps (see learner/resume.ts). */
    resume: {
      dir: scratch,
      every: saveEvery(steps),
      onResume: (step: number, reports: { step: number; loss: number }[]) => {
        history = reports.map((r) => ({ step: r.step, loss: r.loss, lr }))
        log(`resumed at step ${step} of ${steps} (state kept in ${scratch})`)
        progress({ resumed: step, step, total: steps })
      },
    },
    write: (out: string) =>
      writeJson(join(out, TRAINER_STATE_FILE), { log_history: history } satisfies TrainerState),
  }
}

/**
 * The base model: random init, then full training on the generic alignment task (`mix/*` inputs,
 * normally only `datasets/alignment`): CoIN's base is LLaVA's stage-1 model, which never saw the
 * eight tasks, so neither does this one; the zero-shot row and FWT's baseline come from it.
 */
export const pretrain = rule<PretrainParams>({
  name: 'pretrain',
  params: { ...OPTIMISATION, model: { featureDim: 1, embedDim: 1, hidden: [1] }, fraction: 1 },
  async run(ctx) {
    const { inputs, params, out, signal, log } = ctx
    const vocab = await readJson<string[]>(join(inputs.vocab as string, 'vocab.json'))
    const dirs = Object.keys(inputs)
      .filter((k) => k.startsWith('mix/'))
      .sort()
      .map((k) => inputs[k] as string)
    const data = await examplesFrom(dirs, params.fraction)
    log(`pre-training on ${data.length} examples from ${dirs.length} tasks, vocabulary ${vocab.length}`)
    const ckpt = initModel({ ...params.model, vocab, seed: params.seed })
    const curve = trainingLog(ctx)
    const trained = await train(ckpt, { kind: 'full' }, data, {
      ...params,
      signal,
      onProgress: curve.onProgress,
      resume: curve.resume,
    })
    await writeCheckpoint(out, trained)
    await curve.write(out)
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
  params: { ...OPTIMISATION, task: '', method: null },
  async run(ctx) {
    const { inputs, params, out, signal, log } = ctx
    const ckpt = await readCheckpoint(inputs.model as string)
    const own = await examplesFrom([inputs.data as string])
    const replay = inputs.replay ? await replayExamples(inputs.replay as string) : []
    const data = [...own, ...replay]
    log(
      `${params.method.kind} on ${params.task}: ${own.length} examples + ${replay.length} replayed, ${params.steps} steps, lr ${params.lr}`,
    )
    const curve = trainingLog(ctx)
    const trained = await train(ckpt, params.method, data, {
      ...params,
      signal,
      onProgress: curve.onProgress,
      resume: curve.resume,
    })
    await writeCheckpoint(out, trained)
    await curve.write(out)
  },
})

export interface MultitaskParams extends Optimisation {
  method: MethodConfig
}

export const trainMultitask = rule<MultitaskParams>({
  name: 'train-multitask',
  params: { ...OPTIMISATION, method: null },
  async run(ctx) {
    const { inputs, params, out, signal, log } = ctx
    const ckpt = await readCheckpoint(inputs.model as string)
    const dirs = Object.keys(inputs)
      .filter((k) => k.startsWith('data/'))
      .sort()
      .map((k) => inputs[k] as string)
    const data = await examplesFrom(dirs)
    log(`joint training on ${data.length} examples from ${dirs.length} tasks`)
    const curve = trainingLog(ctx)
    const trained = await train(ckpt, params.method, data, {
      ...params,
      signal,
      onProgress: curve.onProgress,
      resume: curve.resume,
    })
    await writeCheckpoint(out, trained)
    await curve.write(out)
  },
})
