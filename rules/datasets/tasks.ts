import { COIN_TASK_IDS, COIN_TASKS, type CoinTaskId } from '../../datasets/coin-mini/tasks.ts'
import { UserError } from '../../src/errors.ts'

/**
 * CoIN's eight tasks in the paper's default order (DOMAIN.md §1.1), from the one task table
 * (datasets/coin-mini/tasks.ts). Task ids are lower-case and
 * are what target ids, scorers and the CLI use; `COIN_TASK_DIRS` are the folder names of the
 * CoIN release (`Instructions_Original/<Dir>/`).
 */
export const TASK_IDS: readonly TaskId[] = COIN_TASK_IDS

export type TaskId = CoinTaskId

export const COIN_TASK_DIRS = Object.fromEntries(COIN_TASKS.map((t) => [t.id, t.dir])) as Record<
  TaskId,
  string
>

export function isTaskId(name: string): name is TaskId {
  return (TASK_IDS as readonly string[]).includes(name)
}

/**
 * Accepts a task id or any spelling of CoIN's folder name ("ScienceQA", "OCR-VQA", "ocr_vqa") and
 * returns the task id, or undefined when it names no CoIN task.
 */
export function findTaskId(name: string): TaskId | undefined {
  const folded = name.toLowerCase().replace(/[^a-z0-9]/g, '')
  return isTaskId(folded) ? folded : undefined
}

/** Like `findTaskId`, but an unknown name is a user error that lists the known tasks. */
export function toTaskId(name: string, where: { file?: string; key?: string } = {}): TaskId {
  const id = findTaskId(name)
  if (id) return id
  throw new UserError({
    message: `unknown task "${name}"`,
    ...where,
    fix: `use one of: ${TASK_IDS.join(', ')}`,
  })
}
