/**
 * File conventions shared by the CoIN rules. A prepared task directory holds CoIN-format
 * `train.json` and `test.json` plus `scenes.jsonl` (image path → scene, the bundled data's stand-in
 * for pixels), so downstream targets read one directory.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { TestRecord, TrainRecord } from '../datasets/index.ts'
import { IMAGE_TOKEN } from '../datasets/index.ts'
import type { Example, Scene } from '../learner/index.ts'

export const TRAIN_FILE = 'train.json'
export const TEST_FILE = 'test.json'
export const SCENES_FILE = 'scenes.jsonl'

/** Stable JSON: two-space indent and a trailing newline, so equal data gives equal bytes. */
export async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFile(path, `${JSON.stringify(value, null, 1)}\n`)
}

export async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T
}

export async function readScenes(dir: string): Promise<Map<string, Scene>> {
  const map = new Map<string, Scene>()
  let text: string
  try {
    text = await readFile(join(dir, SCENES_FILE), 'utf8')
  } catch {
    return map // real CoIN data has pixels, not scenes: the embedded learner then sees text only
  }
  for (const line of text.split('\n')) {
    if (!line) continue
    const { image, scene } = JSON.parse(line) as { image: string; scene: Scene }
    map.set(image, scene)
  }
  return map
}

/** The prompt the model sees: the human turn without the `<image>` token line. */
export function stripImageToken(value: string): string {
  return value.startsWith(`${IMAGE_TOKEN}\n`)
    ? value.slice(IMAGE_TOKEN.length + 1)
    : value.replace(IMAGE_TOKEN, '').trim()
}

/**
 * One example per answered turn: every gpt turn with the human turn before it, as CoIN's trainer
 * supervises every gpt turn of a conversation (the embedded learner has no context across turns).
 */
export function trainExamples(records: readonly TrainRecord[], scenes: Map<string, Scene>): Example[] {
  return records.flatMap((r) => {
    const scene = (r.image && scenes.get(r.image)) || null
    return r.conversations.flatMap((t, i) => {
      const human = r.conversations[i - 1]
      if (t.from !== 'gpt' || human?.from !== 'human') return []
      return [{ prompt: stripImageToken(human.value), scene, answer: t.value }]
    })
  })
}

export function testExamples(records: readonly TestRecord[], scenes: Map<string, Scene>): Example[] {
  return records.map((r) => ({ prompt: r.text, scene: (r.image && scenes.get(r.image)) || null }))
}

export async function readTask(
  dir: string,
): Promise<{ train: TrainRecord[]; test: TestRecord[]; scenes: Map<string, Scene> }> {
  const [train, test, scenes] = await Promise.all([
    readJson<TrainRecord[]>(join(dir, TRAIN_FILE)),
    readJson<TestRecord[]>(join(dir, TEST_FILE)),
    readScenes(dir),
  ])
  return { train, test, scenes }
}
