/**
 * coin's built-in rules for continual instruction tuning (`import { sequence } from 'coin/rules'`):
 * CoIN data, instruction templates, the embedded learner, evaluation and reports.
 */

export { COIN_TASK_IDS } from '../datasets/coin-mini/index.ts'
export { alignment, coinMini, prepareTask, prompts, vocabulary } from './coin/data-rules.ts'
export { predictTask, scoreTaskRule } from './coin/eval-rules.ts'
export { type Cell, forgettingReport } from './coin/report-rule.ts'
export { type Evaluation, evaluate, type ReplaySpec, type SequenceSpec, sequence } from './coin/sequence.ts'
export { coinTasks } from './coin/task-list.ts'
export { pretrain, trainMultitask, trainStage } from './coin/train-rules.ts'
export { insclReplay, randomReplay, tgsftReplay } from './replay/replay-rules.ts'
export { replayReport } from './replay/report-rule.ts'
