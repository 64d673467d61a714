/**
 * The Coinfile's task list, checked before anything runs: every name is a CoIN task (any spelling
 * of its folder name), none twice, and, when the data come from a CoIN release on disk, each task's
 * folder is there. A mistake here is a diagnostic at load (exit 2) naming the folder expected,
 * not a failed target halfway through a build.
 */
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { didYouMean } from '../../src/config/suggest.ts'
import { UserError } from '../../src/errors.ts'
import { COIN_TASK_DIRS, findTaskId, TASK_IDS, type TaskId, toTaskId } from '../datasets/tasks.ts'

export interface TaskListOptions {
  /** The CoIN release's instructions folder (`data.source`); empty for the bundled CoIN-mini. */
  source?: string
  /** The project root, against which a relative `source` is resolved. */
  root?: string
  /** Where the list is declared, for the diagnostic (`tasks` param). */
  key?: string
}

export function coinTasks(names: readonly string[], o: TaskListOptions = {}): TaskId[] {
  const key = o.key ?? 'tasks'
  if (!Array.isArray(names) || names.length === 0)
    throw new UserError({ message: 'the task list is empty', key, fix: `e.g. --set ${key}=scienceqa,gqa` })
  const ids = names.map((n) => {
    if (findTaskId(String(n))) return toTaskId(String(n))
    throw new UserError({
      message: `unknown task "${n}" in ${key}.${didYouMean(String(n), TASK_IDS)}`,
      key,
      fix: `the CoIN tasks are ${TASK_IDS.join(', ')}`,
    })
  })
  const twice = ids.find((id, i) => ids.indexOf(id) !== i)
  if (twice)
    throw new UserError({
      message: `task ${twice} is listed twice in ${key}`,
      key,
      fix: 'list each task once, in the order to train them',
    })
  if (o.source) checkRelease(resolve(o.root ?? '.', o.source), ids)
  return ids
}

function checkRelease(source: string, ids: readonly TaskId[]): void {
  if (!existsSync(source) || !statSync(source).isDirectory())
    throw new UserError({
      message: `data.source ${source} is not a folder`,
      file: source,
      key: 'data.source',
      fix: "point data.source at CoIN's instructions folder (the one holding ScienceQA/, TextVQA/, ...)",
    })
  const entries = readdirSync(source)
  for (const id of ids) {
    const dir = entries.find((name) => findTaskId(name) === id)
    const expected = join(source, COIN_TASK_DIRS[id])
    if (!dir)
      throw new UserError({
        message: `data.source has no folder for task ${id}: expected ${expected}/`,
        file: source,
        key: id,
        fix: `add ${expected}/ with train.json and test.json (or val.json), or drop ${id} from the task list (--set tasks=...)`,
      })
    const folder = join(source, dir)
    if (!existsSync(join(folder, 'train.json')))
      throw new UserError({
        message: `task ${id} has no train.json in ${folder}`,
        file: folder,
        key: id,
        fix: `put CoIN's ${COIN_TASK_DIRS[id]}/train.json there`,
      })
    if (!existsSync(join(folder, 'test.json')) && !existsSync(join(folder, 'val.json')))
      throw new UserError({
        message: `task ${id} has neither test.json nor val.json in ${folder}`,
        file: folder,
        key: id,
        fix: `put CoIN's ${COIN_TASK_DIRS[id]}/test.json (or val.json) there`,
      })
  }
}
