import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { generateCoinMini } from '../../datasets/coin-mini/generate.ts'
import type { TestRecord, TrainRecord } from '../../datasets/coin-mini/records.ts'
import type { Scene, SceneObject } from '../../datasets/coin-mini/scene.ts'
import { COIN_TASKS, type CoinTask } from '../../datasets/coin-mini/tasks.ts'
import { tempDir } from './fixture.ts'
import { lastLine, sceneProblems, testRecordProblems, trainRecordProblems } from './format-check.ts'

/**
 * The files CoIN-mini writes at its default sizes, read back from disk and checked against CoIN's
 * formats (DOMAIN.md §1.2) and against the scenes they describe.
 */
interface Written {
  task: CoinTask
  // Typed as the generator declares them; the first test checks they really have that shape.
  train: TrainRecord[]
  test: TestRecord[]
}

const root = await tempDir('format')
await generateCoinMini(root, { seed: 0 })
const readJson = async (path: string): Promise<unknown> =>
  JSON.parse(await readFile(join(root, path), 'utf8'))
const readScene = async (path: string) => (await readJson(path)) as Scene
const written: Written[] = await Promise.all(
  COIN_TASKS.map(async (task) => ({
    task,
    train: (await readJson(join(task.dir, 'train.json'))) as TrainRecord[],
    test: (await readJson(join(task.dir, task.testFile))) as TestRecord[],
  })),
)
const taskData = (id: string) => written.find((w) => w.task.id === id)!
const originalFile = new URL('../../datasets/templates/original.json', import.meta.url)
const original = JSON.parse(await readFile(originalFile, 'utf8')).templates as Record<string, string>

const trainPrompt = (r: TrainRecord) => r.conversations[0].value.replace(/^<image>\n/, '')
const trainAnswer = (r: TrainRecord) => r.conversations[1].value

test('every record of every task is in CoIN format', () => {
  for (const { task, train, test: tests } of written) {
    assert.is(train.length, 600, task.dir)
    assert.is(tests.length, 150, task.dir)
    for (const [i, r] of train.entries()) assert.equal(trainRecordProblems(r), [], `${task.dir} train[${i}]`)
    for (const [i, r] of tests.entries()) {
      assert.equal(testRecordProblems(r, task.id === 'grounding'), [], `${task.dir} test[${i}]`)
    }
  }
})

test('ids are unique and every image is a valid scene file at images/<Task>/<id>.json', async () => {
  for (const { task, train, test: tests } of written) {
    const records = [...train.map((r) => [r.id, r.image]), ...tests.map((r) => [r.question_id, r.image])]
    assert.is(new Set(records.map(([id]) => id)).size, records.length, `${task.dir} ids`)
    for (const [id, image] of records) {
      assert.is(image, `images/${task.dir}/${id}.json`)
      assert.equal(sceneProblems(await readJson(image as string)), [], image)
    }
  }
})

test("the last line of every prompt is CoIN's original instruction", () => {
  for (const { task, train, test: tests } of written) {
    const template = original[task.id] as string
    for (const prompt of [...train.map(trainPrompt), ...tests.map((r) => r.text)]) {
      const line = lastLine(prompt)
      if (task.id === 'grounding') {
        const prefix = template.replace('{ref}', '')
        assert.ok(line.startsWith(prefix) && line.length > prefix.length, line)
      } else {
        assert.is(line, template)
        assert.ok(prompt.includes('\n'), `${task.dir}: a question precedes the instruction`)
      }
    }
  }
})

test('answer sets are bounded per task and overlap across tasks', () => {
  const tasksOf = new Map<string, Set<string>>()
  for (const { task, train, test: tests } of written) {
    const answers = new Set([...train.map(trainAnswer), ...tests.flatMap((r) => r.answer)])
    assert.ok(answers.size >= 4 && answers.size <= 150, `${task.dir}: ${answers.size} answers`)
    for (const a of answers) tasksOf.set(a, (tasksOf.get(a) ?? new Set()).add(task.id))
  }
  assert.ok(tasksOf.size <= 400, `union vocabulary ${tasksOf.size}`)
  // The overlaps that make sequential training forget.
  for (const shared of ['yes', 'no', 'red', 'cat', '2', 'pizza']) {
    const tasks = [...(tasksOf.get(shared) ?? [])]
    assert.ok(tasks.length >= 2, `"${shared}" is an answer in ${tasks.join(', ')} only`)
  }
})

/** A box normalised by the padded square's side, computed here independently of the generator. */
function paddedBox(o: SceneObject, width: number, height: number): number[] {
  const side = Math.max(width, height)
  const ox = (side - width) / 2
  const oy = (side - height) / 2
  return [(o.x + ox) / side, (o.y + oy) / side, (o.x + o.w + ox) / side, (o.y + o.h + oy) / side]
}

test('grounding boxes lie in [0, 1] and match the object the expression names', async () => {
  const { train, test: tests } = taskData('grounding')
  const rows = [
    ...train.map((r) => ({ prompt: trainPrompt(r), answer: trainAnswer(r), image: r.image })),
    ...tests.map((r) => ({ prompt: r.text, answer: r.answer_bbox ?? '', image: r.image })),
  ]
  const distinct = new Set<string>()
  for (const row of rows) {
    const box = JSON.parse(row.answer) as number[]
    assert.ok(
      box.every((v) => v >= 0 && v <= 1),
      row.answer,
    )
    assert.ok(box[0]! < box[2]! && box[1]! < box[3]!, row.answer)
    distinct.add(row.answer)
    const scene = await readScene(row.image)
    const ref = row.prompt.slice(row.prompt.indexOf(': ') + 2)
    const target = scene.objects.find((o) =>
      paddedBox(o, scene.width, scene.height).every((v, i) => Math.abs(v - box[i]!) <= 0.005 + 1e-9),
    )
    assert.ok(target, `no object at ${row.answer} in ${row.image}`)
    assert.ok(ref.split(' ').includes(target.class), `"${ref}" does not name the ${target.class}`)
  }
  for (const r of tests) {
    assert.is(r.answer, r.answer_bbox)
    const scene = await readScene(r.image)
    assert.equal(r.size, [scene.width, scene.height])
  }
  assert.ok(distinct.size <= 100, `${distinct.size} distinct boxes`)
})

/** Hands each train record's prompt, answer, scene and id to `check`. */
async function eachTrain(
  taskId: string,
  check: (prompt: string, answer: string, scene: Scene, id: string) => void,
): Promise<void> {
  for (const r of taskData(taskId).train)
    check(trainPrompt(r), trainAnswer(r), await readScene(r.image), r.id)
}

const largest = (scene: Scene) => scene.objects.reduce((a, b) => (a.w * a.h >= b.w * b.h ? a : b))
const printedText = (o: SceneObject | undefined) => (o?.text ?? '').toLowerCase()
const cellOf = (o: SceneObject, scene: Scene) => ({
  row: Math.floor(((o.y + o.h / 2) * 3) / scene.height),
  col: Math.floor(((o.x + o.w / 2) * 3) / scene.width),
})

test('answers are true of their scenes', async () => {
  await eachTrain('imagenet', (_, answer, scene, id) => assert.is(answer, largest(scene).class, id))
  await eachTrain('textvqa', (_, answer, scene, id) => {
    const printed = scene.objects.filter((o) => o.text)
    assert.is(printed.length, 1, id)
    assert.is(answer, printedText(printed[0]), id)
  })
  await eachTrain('vqav2', (prompt, answer, scene, id) => {
    const how = /^How many (\w+)/.exec(prompt)
    if (!how) return
    const n = scene.objects.filter((o) => how[1] === `${o.class}s` || how[1] === `${o.class}es`).length
    assert.is(answer, String(n), id)
  })
  await eachTrain('ocrvqa', (prompt, answer, scene, id) => {
    const printed = (cls: string) => printedText(scene.objects.find((o) => o.class === cls))
    if (/wrote|author/.test(prompt)) assert.is(answer, printed('author'), id)
    if (/title/.test(prompt)) assert.is(answer, printed('title'), id)
    if (/genre of|type of/.test(prompt)) assert.is(answer, printed('label'), id)
  })
  await eachTrain('vizwiz', (prompt, answer, scene, id) => {
    const asked = /color of this (\w+)|color is this (\w+)/.exec(prompt)
    if (!asked) return
    const obj = scene.objects.find((o) => o.class === (asked[1] ?? asked[2]))
    assert.is(answer, obj ? obj.color : 'unanswerable', id)
  })
  await eachTrain('scienceqa', (prompt, answer, scene, id) => {
    const option = new RegExp(`^${answer}\\. (.+)$`, 'm').exec(prompt)?.[1]
    assert.ok(option, `${id}: no option ${answer}`)
    assert.is(scene.objects.length, 1, id)
    const [obj] = scene.objects
    if (prompt.startsWith('Which color')) assert.is(option, obj?.color, id)
    if (prompt.startsWith('Which object')) assert.is(option, obj?.class, id)
  })
  await eachTrain('gqa', (prompt, answer, scene, id) => {
    const q = /^(?:What is the object|Which object is) (left of|right of) the (\w+)\?/.exec(prompt)
    if (!q) return
    const anchor = cellOf(scene.objects.find((o) => o.class === q[2])!, scene)
    const related = scene.objects.filter((o) =>
      q[1] === 'left of' ? cellOf(o, scene).col < anchor.col : cellOf(o, scene).col > anchor.col,
    )
    assert.equal(
      related.map((o) => o.class),
      [answer],
      id,
    )
  })
})

test('TextVQA test records carry ten human answers, the truth at least seven times', async () => {
  for (const r of taskData('textvqa').test) {
    const truth = printedText((await readScene(r.image)).objects.find((o) => o.text))
    assert.ok(Array.isArray(r.answer) && r.answer.length === 10, r.question_id)
    assert.ok([...r.answer].filter((a) => a === truth).length >= 7, r.question_id)
  }
})

test('VizWiz has unanswerable questions, but not most of them', () => {
  const { train } = taskData('vizwiz')
  const share = train.filter((r) => trainAnswer(r) === 'unanswerable').length / train.length
  assert.ok(share > 0.15 && share < 0.4, `unanswerable share ${share}`)
})

test.run()
