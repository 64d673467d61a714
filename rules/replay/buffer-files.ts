/**
 * A replay buffer is a directory in the prepared-task layout: `train.json` (CoIN's LLaVA
 * conversation records, so the embedded learner and a Python trainer read the same file),
 * `scenes.jsonl` (the scenes those records reference, for the embedded learner) and `buffer.json`
 * (provenance: which task and record each entry came from, and how the budget was split).
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { readJson, SCENES_FILE, TRAIN_FILE, writeJson } from '../coin/files.ts'
import type { TrainRecord } from '../datasets/index.ts'

export const BUFFER_FILE = 'buffer.json'

export interface BufferEntry {
  /** The earlier task the record was drawn from (`generated` for TG-SFT's pseudo-rehearsal). */
  task: string
  /** Its id in that task's train.json (or the generic prompt's id). */
  id: string | number | null
}

export interface BufferInfo {
  method: string
  stage: number
  /** Budget: records per earlier task (InsCL's replay_num); total = perTask × (stage − 1). */
  perTask: number
  /** Records actually taken per earlier task, in order. */
  counts: Record<string, number>
  entries: BufferEntry[]
  /** Method-specific details (InsCL: distances, masses, instruction counts). */
  details?: Record<string, unknown>
}

export interface SourceTask {
  task: string
  records: TrainRecord[]
  /** scenes.jsonl lines by image path (kept as text: a buffer copies them verbatim). */
  sceneLines: Map<string, string>
}

export async function readSourceTask(task: string, dir: string): Promise<SourceTask> {
  const records = await readJson<TrainRecord[]>(join(dir, TRAIN_FILE))
  const sceneLines = new Map<string, string>()
  let text = ''
  try {
    text = await readFile(join(dir, SCENES_FILE), 'utf8')
  } catch {
    // real CoIN data has no scenes
  }
  for (const line of text.split('\n')) {
    if (!line) continue
    sceneLines.set((JSON.parse(line) as { image: string }).image, line)
  }
  return { task, records, sceneLines }
}

export const recordId = (r: TrainRecord): string | number | null => r.id ?? r.question_id ?? null

/** Writes the buffer: records in order, the scenes they use (sorted, deduplicated), provenance. */
export async function writeBuffer(
  out: string,
  picked: { source: SourceTask; record: TrainRecord; entry: BufferEntry }[],
  info: Omit<BufferInfo, 'entries'>,
): Promise<void> {
  const scenes = new Map<string, string>()
  for (const p of picked) {
    const line = p.record.image ? p.source.sceneLines.get(p.record.image) : undefined
    if (line && p.record.image) scenes.set(p.record.image, line)
  }
  await writeJson(
    join(out, TRAIN_FILE),
    picked.map((p) => p.record),
  )
  const lines = [...scenes.keys()].sort().map((k) => scenes.get(k)!)
  await writeFile(join(out, SCENES_FILE), lines.length ? `${lines.join('\n')}\n` : '')
  await writeJson(join(out, BUFFER_FILE), { ...info, entries: picked.map((p) => p.entry) })
}

/** The earlier tasks' inputs of a buffer target: `task/<i>-<name>` in order. */
export function earlierTaskInputs(inputs: Record<string, unknown>): { task: string; dir: string }[] {
  return Object.keys(inputs)
    .filter((k) => k.startsWith('task/'))
    .sort((a, b) => Number(a.slice(5).split('-')[0]) - Number(b.slice(5).split('-')[0]))
    .map((k) => ({ task: k.slice(5).split('-').slice(1).join('-'), dir: inputs[k] as string }))
}
