/**
 * Replay buffers in the default Coinfile, end to end on a small configuration: buffers draw only
 * from the train files of earlier tasks (never a test record), InsCL's buffers follow its
 * allocation, and changing the budget reruns exactly the buffers and the stages after them.
 */
import { cpSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { repoRoot, TempProject } from '../helpers/project.ts'

const TASKS = ['scienceqa', 'textvqa', 'imagenet', 'gqa', 'vizwiz', 'grounding', 'vqav2', 'ocrvqa']
const SMALL = [
  ...['data.train=60', 'data.test=20', 'base.steps=40', 'replay.perTask=6'].flatMap((s) => ['--set', s]),
  ...TASKS.flatMap((t) => ['--set', `stages.${t}.steps=10`]),
]
const METHODS = ['random', 'inscl', 'tg-sft']
// Three stages of each replay sequence, plus the last random and InsCL buffers (which need no
// training: only the prompts and, for InsCL, the base model's encoder).
const TARGETS = [
  ...METHODS.map((m) => `train/lora-${m}/3-imagenet`),
  'replay/lora-random/8',
  'replay/lora-inscl/8',
]

interface Rec {
  id: string
  image?: string
  conversations: { from: string; value: string }[]
}
interface Buffer {
  method: string
  stage: number
  counts: Record<string, number>
  entries: { task: string; id: string }[]
  details?: { distances: Record<string, number>; quotas: Record<string, number> }
}

test('buffers hold train records of earlier tasks only; a budget change reruns buffers and later stages', () => {
  const p = new TempProject({ 'Coinfile.ts': readFileSync(join(repoRoot, 'Coinfile.ts'), 'utf8') })
  cpSync(join(repoRoot, 'datasets/templates'), p.path('datasets/templates'), { recursive: true })
  const first = p.build(...TARGETS, ...SMALL)
  assert.is(first.code, 0, first.stderr)
  const out = (id: string) => p.coin('path', id).stdout.trim()
  const json = <T>(id: string, file: string) => JSON.parse(readFileSync(join(out(id), file), 'utf8')) as T

  const train = new Map<string, Map<string, Rec>>()
  const testIds = new Map<string, Set<string>>()
  for (const task of TASKS) {
    train.set(
      task,
      new Map(json<Rec[]>(`prompts/${task}@original`, 'train.json').map((r) => [String(r.id), r])),
    )
    testIds.set(
      task,
      new Set(
        json<{ question_id: string }[]>(`prompts/${task}@original`, 'test.json').map((r) =>
          String(r.question_id),
        ),
      ),
    )
  }
  for (const m of ['random', 'inscl']) {
    for (const k of [2, 3, 8]) {
      const id = `replay/lora-${m}/${k}`
      const b = json<Buffer>(id, 'buffer.json')
      const records = json<Rec[]>(id, 'train.json')
      assert.is(records.length, 6 * (k - 1), `${id}: the budget is met exactly`)
      assert.is(b.entries.length, records.length)
      b.entries.forEach((e, i) => {
        const earlier = TASKS.slice(0, k - 1)
        assert.ok(earlier.includes(e.task), `${id}: ${e.task} is not an earlier task`)
        assert.ok(!testIds.get(e.task)!.has(String(e.id)), `${id}: test record ${e.task}/${e.id}`)
        assert.equal(records[i], train.get(e.task)!.get(String(e.id)), `${id}: not a train record`)
      })
    }
  }
  // InsCL: the largest distance gets at least as much as any other task.
  const last = json<Buffer>(`replay/lora-inscl/${TASKS.length}`, 'buffer.json')
  const d = last.details!
  const far = Object.keys(d.distances).sort((a, b) => d.distances[b]! - d.distances[a]!)[0]!
  assert.ok(Object.values(d.quotas).every((q) => q <= d.quotas[far]!))
  // TG-SFT answers prompts of the pre-training corpus: no buffer record is a task's train or test record.
  const tg = json<Rec[]>('replay/lora-tg-sft/3', 'train.json')
  assert.is(tg.length, 6 * 2)
  for (const r of tg) assert.match(r.id, /^tg-sft-/)

  // Budget 6 → 4: every buffer and every stage k ≥ 2 reruns; stage 1, the data and the base do not.
  const second = p.build(...TARGETS, ...SMALL, '--set', 'replay.perTask=4')
  assert.is(second.code, 0, second.stderr)
  const ran = Object.entries(second.outcomes)
    .filter(([, o]) => o === 'ran')
    .map(([id]) => id)
    .sort()
  const expected = [
    ...METHODS.flatMap((m) => [
      `replay/lora-${m}/2`,
      `replay/lora-${m}/3`,
      `train/lora-${m}/2-textvqa`,
      `train/lora-${m}/3-imagenet`,
    ]),
    'replay/lora-random/8',
    'replay/lora-inscl/8',
  ].sort()
  assert.equal(ran, expected)
  for (const m of METHODS) assert.is(second.outcomes[`train/lora-${m}/1-scienceqa`], 'fresh')
  assert.is(second.outcomes['train/base'], 'fresh')
  p.remove()
})

test.run()
