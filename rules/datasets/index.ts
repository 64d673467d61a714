/** CoIN dataset formats: record types, schemas, validating loaders and subsampling (DOMAIN.md §1.2). */
export {
  goldRecords,
  loadScienceQaProblems,
  loadTextVqaAnnotations,
  withTextVqaAnnotations,
} from './gold-annotations.ts'
export { joinInstruction, splitInstruction } from './instruction.ts'
export {
  findTaskFiles,
  type NormalizedTask,
  type NormalizeTaskOptions,
  normalizeTask,
  type TaskFiles,
} from './normalize-task.ts'
export { loadPredictionsFile } from './predictions-file.ts'
export { DataFileError, MAX_REPORTED_PROBLEMS, type RecordProblem } from './record-problems.ts'
export type { ConversationTurn, Prediction, TestRecord, TrainRecord } from './records.ts'
export { checkFraction, mulberry32, sampleFraction } from './sample.ts'
export {
  groundingTestRecordSchema,
  predictionRecordSchema,
  testRecordSchema,
  trainRecordSchema,
} from './schemas.ts'
export { COIN_TASK_DIRS, findTaskId, isTaskId, TASK_IDS, type TaskId, toTaskId } from './tasks.ts'
export { loadTestFile } from './test-file.ts'
export { IMAGE_TOKEN, loadTrainFile } from './train-file.ts'
