/**
 * The embedded learner: a small hashed-feature MLP trained in-process on CPU with onnxruntime-node
 * (loaded lazily, on the first train/predict call). One ONNX train-step graph per method: forward,
 * cross-entropy, hand-derived backward, Adam; weights and moments go in, updated values come out.
 *
 *   const ckpt = initModel({ featureDim: 1 << 15, embedDim: 32, hidden: [64], vocab, seed: 0 })
 *   const base = await train(ckpt, { kind: 'full' }, data, { steps: 600, lr: 2e-3, batchSize: 64, seed: 0 })
 *   const stage1 = await train(base, { kind: 'lora', r: 8, alpha: 16 }, task1, opts)
 *   const stage2 = await train(stage1, { kind: 'lora', r: 8, alpha: 16 }, task2, opts) // same adapter
 *   await writeCheckpoint('out/stage2', stage2); const answers = await predict(stage2, test)
 */
export { readCheckpoint, writeCheckpoint } from './checkpoint.ts'
export { DEFAULT_FEATURE_DIM, featureStrings, featurize } from './featurize.ts'
export { initModel } from './params.ts'
export { predict, predictLogits } from './predict.ts'
export { releaseSessions } from './session.ts'
export { PROGRESS_EVERY, train } from './train.ts'
export type {
  Adapter,
  Checkpoint,
  Example,
  MethodConfig,
  ModelConfig,
  PredictOptions,
  Scene,
  SceneObject,
  Schedule,
  Tensor,
  TrainOptions,
  TrainRecord,
} from './types.ts'
