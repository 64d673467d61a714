/** The base's generic alignment task: descriptions of the tasks' scenes, never the tasks (issue 11, item 9). */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { alignmentRecords, languageRecords } from '../../datasets/coin-mini/alignment.ts'
import type { Scene } from '../../datasets/coin-mini/scene.ts'

const scene: Scene = {
  width: 640,
  height: 480,
  objects: [
    { class: 'cat', color: 'red', x: 10, y: 10, w: 100, h: 100 },
    { class: 'sign', color: 'blue', x: 500, y: 350, w: 100, h: 100, text: 'STOP' },
  ],
}
const scenes = new Map(Array.from({ length: 50 }, (_, i) => [`images/GQA/${i}.json`, scene]))
const original = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../datasets/templates/original.json'), 'utf8'),
) as { templates: Record<string, string> }

test('three descriptions per scene, deterministic for a seed, none carrying a task instruction', () => {
  const records = alignmentRecords(scenes, 0)
  assert.is(records.length, 150)
  assert.equal(alignmentRecords(scenes, 0), records)
  const instructions = Object.values(original.templates).map((t) => t.replace(': {ref}', ''))
  for (const r of records) {
    const human = r.conversations[0]!.value
    assert.ok(human.startsWith('<image>\n') && human.endsWith('\nDescribe it briefly.'), human)
    assert.not.ok(
      instructions.some((i) => human.includes(i)),
      human,
    )
  }
  // The answers are descriptions: no letter, box, number, yes/no or "unanswerable".
  const answers = new Set(records.map((r) => r.conversations[1]!.value))
  for (const a of answers) assert.not.match(a, /^([A-E]|\[.*\]|\d+|yes|no|unanswerable)$/)
  assert.ok(answers.has('red cat') && answers.has('stop'))
})

test('the language half says each answer from text alone, without an image', () => {
  const records = languageRecords(['yes', 'A', 'yes'])
  assert.is(records.length, 8) // two distinct answers, four phrasings
  assert.ok(records.every((r) => r.image === undefined && !r.conversations[0]!.value.includes('<image>')))
  assert.equal(records[0]!.conversations, [
    { from: 'human', value: 'Say: A' },
    { from: 'gpt', value: 'A' },
  ])
})

test.run()
