/**
 * Training curves. Both learners leave `trainer_state.json` in their checkpoint directory in
 * Hugging Face Trainer's layout: `{ "log_history": [{ "step": 10, "loss": 1.9, "learning_rate":
 * 2e-4, "epoch": 0.3 }, ...] }`. coin's embedded learner and scripts/ write `lr` instead of
 * `learning_rate`; both are read. Entries without a training loss (evaluation entries, the final
 * summary with `train_loss`) are not steps and are skipped.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { UserError } from '../errors.ts'
import type { TrainLogRow } from './types.ts'

export const TRAINER_STATE_FILE = 'trainer_state.json'

/** One logged step, as the learners write it. */
export interface TrainerStep {
  step: number
  loss: number
  lr?: number
  learning_rate?: number
  epoch?: number
}

export interface TrainerState {
  log_history: TrainerStep[]
}

/** The rows of `dir/trainer_state.json` for the target `target` built under `key`; [] when there is none. */
export function readTrainLog(dir: string, key: string, target: string): TrainLogRow[] {
  const path = join(dir, TRAINER_STATE_FILE)
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    return []
  }
  return parseTrainerState(text, path).map((s) => ({ key, target, ...s }))
}

/** Parses the file's text; a file that is not a trainer state is a UserError naming it. */
export function parseTrainerState(
  text: string,
  file: string,
): { step: number; loss: number | null; lr: number | null; epoch: number | null }[] {
  let state: { log_history?: unknown }
  try {
    state = JSON.parse(text) as { log_history?: unknown }
  } catch (error) {
    throw new UserError({
      message: `training log is not JSON: ${(error as Error).message}`,
      file,
      fix: 'the trainer must write trainer_state.json as one JSON object; rebuild the training target',
    })
  }
  if (!state || !Array.isArray(state.log_history)) {
    throw new UserError({
      message: 'training log has no log_history list',
      file,
      key: 'log_history',
      fix: 'write { "log_history": [{ "step": 1, "loss": 2.3, "lr": 0.001 }, ...] }',
    })
  }
  const rows: { step: number; loss: number | null; lr: number | null; epoch: number | null }[] = []
  state.log_history.forEach((entry, index) => {
    if (!entry || typeof entry !== 'object') return
    const e = entry as Record<string, unknown>
    if (typeof e.loss !== 'number') return
    if (!Number.isInteger(e.step) || (e.step as number) < 0) {
      throw new UserError({
        message: `training log entry ${index} has a loss but no integer step`,
        file,
        key: `log_history[${index}].step`,
        fix: 'give every logged entry its global step',
      })
    }
    const lr = typeof e.learning_rate === 'number' ? e.learning_rate : typeof e.lr === 'number' ? e.lr : null
    rows.push({
      step: e.step as number,
      loss: Number.isFinite(e.loss) ? e.loss : null,
      lr,
      epoch: typeof e.epoch === 'number' ? e.epoch : null,
    })
  })
  return rows
}
