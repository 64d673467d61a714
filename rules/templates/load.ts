import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { COIN_TASK_IDS, findCoinTask } from '../../datasets/coin-mini/tasks.ts'
import { UserError } from '../../src/errors.ts'
import { PARAPHRASE_COUNT } from './schema.ts'
import { parseTemplateFile, type TemplateFileKind } from './validate.ts'

/**
 * Named instruction-template sets. "original" and "diverse" are one file each; "paraphrase-k"
 * (k = 1..11) is the k-th instruction of every task in paraphrase.json; "paraphrase-mixed" is
 * CoIN's 10-type setting itself: within one experiment each record gets one of the eleven strings,
 * chosen by a hash of its task and id (so the choice is deterministic and survives reordering).
 */
export type TemplateSetName = 'original' | 'diverse' | `paraphrase-${number}` | 'paraphrase-mixed'

/** A template set: the instruction of a task, for one record (its id matters only in mixed sets). */
export type InstructionOf = (task: string, recordId?: string | number) => string

export const DEFAULT_TEMPLATE_DIR = fileURLToPath(new URL('../../datasets/templates/', import.meta.url))

export const TEMPLATE_SET_NAMES: readonly TemplateSetName[] = [
  'original',
  'diverse',
  ...Array.from({ length: PARAPHRASE_COUNT }, (_, i): TemplateSetName => `paraphrase-${i + 1}`),
  'paraphrase-mixed',
]

interface SetLocation {
  file: string
  kind: TemplateFileKind
  /** For a paraphrase set, the 0-based position in each task's list, or 'mixed' (per record). */
  index?: number | 'mixed'
}

function locate(name: string): SetLocation {
  if (name === 'original' || name === 'diverse') return { file: `${name}.json`, kind: 'single' }
  if (name === 'paraphrase-mixed') return { file: 'paraphrase.json', kind: 'paraphrase', index: 'mixed' }
  const k = /^paraphrase-([1-9][0-9]*)$/.exec(name)?.[1]
  if (k !== undefined && Number(k) <= PARAPHRASE_COUNT) {
    return { file: 'paraphrase.json', kind: 'paraphrase', index: Number(k) - 1 }
  }
  throw new UserError({
    message: `unknown template set "${name}"`,
    key: name,
    fix: `use one of: original, diverse, paraphrase-1 … paraphrase-${PARAPHRASE_COUNT}, paraphrase-mixed`,
  })
}

/**
 * Loads a template set and returns the instruction of each task (by id or CoIN directory name,
 * any case). The file is validated first; an unknown name, a missing or malformed file, or an
 * unknown task is a UserError.
 */
export async function loadTemplateSet(
  name: TemplateSetName,
  dir: string = DEFAULT_TEMPLATE_DIR,
): Promise<InstructionOf> {
  const { file, kind, index } = locate(name)
  const path = join(dir, file)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    throw new UserError({
      file: path,
      message: `template set "${name}" has no file`,
      fix: `create ${file} in ${dir} (see datasets/templates/README.md)`,
    })
  }
  const data = parseTemplateFile(text, path, kind) as { templates: Record<string, string | string[]> }
  return (task: string, recordId?: string | number): string => {
    const id = findCoinTask(task)?.id
    if (!id) {
      throw new UserError({
        message: `unknown task "${task}" for template set "${name}"`,
        key: task,
        fix: `use one of: ${COIN_TASK_IDS.join(', ')}`,
      })
    }
    const entry = data.templates[id]
    const template =
      index === undefined
        ? entry
        : entry?.[index === 'mixed' ? mixedIndex(id, recordId, entry.length) : index]
    if (typeof template !== 'string')
      throw new Error(`internal error: ${path} passed validation without ${id}`)
    return template
  }
}

/** Which of `count` paraphrases a record gets in the mixed set: sha256(task, id), first 4 bytes. */
export function mixedIndex(task: string, recordId: string | number | undefined, count: number): number {
  if (recordId === undefined)
    throw new Error("internal error: the paraphrase-mixed set needs each record's id")
  return createHash('sha256').update(`${task}\0${recordId}`).digest().readUInt32BE(0) % count
}
