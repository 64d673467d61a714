/** CoIN-mini: the deterministic stand-in for the CoIN benchmark that coin bundles by default. */

export { type BuiltSplit, buildSplit } from './build-split.ts'
export {
  DEFAULT_TEST_SIZE,
  DEFAULT_TRAIN_SIZE,
  GENERATOR_VERSION,
  type GeneratedTask,
  type GenerateOptions,
  generateCoinMini,
  originalInstructions,
} from './generate.ts'
export type { TestRecord, TrainRecord } from './records.ts'
export type { Scene, SceneObject } from './scene.ts'
export { COIN_TASK_IDS, COIN_TASKS, type CoinTask, type CoinTaskId, findCoinTask } from './tasks.ts'
