import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Scene } from '../../datasets/coin-mini/scene.ts'
import { featureStrings } from '../../rules/learner/featurize.ts'
import { defaultDataset, mainAnswer, type TaskData } from './fixture.ts'
import { type ProbeExample, probeAccuracy } from './linear-probe.ts'

/**
 * Each task must be neither degenerate nor out of reach. Degenerate: the most frequent answer, or
 * a model that reads only the question, scores well below the 70% goal. Out of reach: a plain
 * linear model over the embedded learner's own features (rules/learner/featurize.ts, the contract
 * between this data and that learner) reaches 70% from the 600 training records. The learner has
 * hidden layers on top, so it should do at least as well.
 */
interface Input {
  prompt: string
  scene: Scene
}

function examples(data: TaskData): { train: ProbeExample<Input>[]; test: ProbeExample<Input>[] } {
  const sceneOf = (split: { scenes: Map<string, Scene> }, image: string) => split.scenes.get(image)!
  return {
    train: data.train.records.map((r) => ({
      input: {
        prompt: r.conversations[0].value.replace(/^<image>\n/, ''),
        scene: sceneOf(data.train, r.image),
      },
      answer: r.conversations[1].value,
    })),
    test: data.test.records.map((r) => ({
      input: { prompt: r.text, scene: sceneOf(data.test, r.image) },
      answer: mainAnswer(r.answer),
    })),
  }
}

const LEARNABLE = 0.7
const DEGENERATE_BELOW = 0.5
const dataset = await defaultDataset()

test('the majority answer scores well below 70% on every task', () => {
  for (const data of dataset) {
    const counts = new Map<string, number>()
    for (const r of data.test.records)
      counts.set(mainAnswer(r.answer), (counts.get(mainAnswer(r.answer)) ?? 0) + 1)
    const majority = Math.max(...counts.values()) / data.test.records.length
    assert.ok(majority < DEGENERATE_BELOW, `${data.task.dir}: majority baseline ${majority.toFixed(2)}`)
  }
})

/** Words and word pairs of the prompt: everything a model could use without the picture. */
function promptOnly(input: Input): string[] {
  const words = input.prompt
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
  return [...words, ...words.slice(1).map((w, i) => `${words[i]}_${w}`)]
}

test('a model that reads only the question scores well below 70% (questions need the scene)', () => {
  for (const data of dataset) {
    const { train, test: tests } = examples(data)
    const accuracy = probeAccuracy(train, tests, promptOnly)
    assert.ok(accuracy < DEGENERATE_BELOW, `${data.task.dir}: blind accuracy ${accuracy.toFixed(2)}`)
  }
})

test("a linear model over the embedded learner's features reaches 70% on every task", () => {
  for (const data of dataset) {
    const { train, test: tests } = examples(data)
    const accuracy = probeAccuracy(train, tests, (input) =>
      featureStrings({ prompt: input.prompt, scene: input.scene }),
    )
    assert.ok(accuracy >= LEARNABLE, `${data.task.dir}: probe accuracy ${accuracy.toFixed(2)}`)
  }
})

test.run()
