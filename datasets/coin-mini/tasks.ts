/**
 * The eight CoIN tasks in CoIN's default training order (DOMAIN.md §1.1): the lower-case id coin
 * uses everywhere, the directory name of the CoIN release (`Instructions_Original/<dir>/`) and the
 * test file that directory holds. CoIN ships TextVQA, VizWiz and VQAv2 with a `val.json` and the
 * others with a `test.json`; CoIN-mini mirrors that so the same loaders read both.
 */
export interface CoinTask {
  readonly id: CoinTaskId
  readonly dir: string
  readonly testFile: 'test.json' | 'val.json'
}

export type CoinTaskId =
  | 'scienceqa'
  | 'textvqa'
  | 'imagenet'
  | 'gqa'
  | 'vizwiz'
  | 'grounding'
  | 'vqav2'
  | 'ocrvqa'

export const COIN_TASKS: readonly CoinTask[] = [
  { id: 'scienceqa', dir: 'ScienceQA', testFile: 'test.json' },
  { id: 'textvqa', dir: 'TextVQA', testFile: 'val.json' },
  { id: 'imagenet', dir: 'ImageNet', testFile: 'test.json' },
  { id: 'gqa', dir: 'GQA', testFile: 'test.json' },
  { id: 'vizwiz', dir: 'VizWiz', testFile: 'val.json' },
  { id: 'grounding', dir: 'Grounding', testFile: 'test.json' },
  { id: 'vqav2', dir: 'VQAv2', testFile: 'val.json' },
  { id: 'ocrvqa', dir: 'OCRVQA', testFile: 'test.json' },
]

export const COIN_TASK_IDS: readonly CoinTaskId[] = COIN_TASKS.map((t) => t.id)

/**
 * Finds a task by its id or its CoIN directory name, case-insensitively ("ImageNet", "imagenet").
 * Returns undefined for anything else so each caller can word its own error.
 */
export function findCoinTask(name: string): CoinTask | undefined {
  const wanted = name.toLowerCase()
  return COIN_TASKS.find((t) => t.id === wanted || t.dir.toLowerCase() === wanted)
}
