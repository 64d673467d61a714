/** Shared helpers for the learner tests: tiny random models and batches, and a synthetic task. */
import { BatchBuilder } from '../../rules/learner/batch.ts'
import { type AdapterMethod, createAdapter, initModel } from '../../rules/learner/params.ts'
import { type PreparedExample, prepareExample } from '../../rules/learner/prepare.ts'
import { Rng } from '../../rules/learner/prng.ts'
import type { Checkpoint, Example, ModelConfig, Tensor } from '../../rules/learner/types.ts'

export const TINY: ModelConfig = { featureDim: 16, embedDim: 4, hidden: [5], vocab: ['a', 'b', 'c'], seed: 7 }

/** A checkpoint whose every tensor (biases and adapter B included) is random, so no gradient is trivially 0. */
export function randomCheckpoint(
  config: ModelConfig,
  method: AdapterMethod | null,
  seed: number,
): Checkpoint {
  const ckpt = initModel(config)
  const rng = new Rng(seed, 'test-weights')
  const fill = (t: Tensor, scale: number) => {
    for (let i = 0; i < t.data.length; i++) t.data[i] = rng.range(-scale, scale)
  }
  for (const t of Object.values(ckpt.base)) fill(t, 0.8)
  if (method) {
    ckpt.adapter = createAdapter(config, method, seed)
    for (const t of Object.values(ckpt.adapter.tensors)) fill(t, 0.8)
  }
  return ckpt
}

const WORDS = ['red', 'cat', 'left', 'of', 'the', 'dog', 'how', 'many', 'is', 'there', 'a', 'blue']

/** Random short prompts; with featureDim 16 they collide a lot, which exercises duplicate rows. */
export function randomExamples(n: number, seed: number, vocab: readonly string[]): Example[] {
  const rng = new Rng(seed, 'test-examples')
  return Array.from({ length: n }, () => ({
    prompt: Array.from({ length: 2 + rng.int(5) }, () => WORDS[rng.int(WORDS.length)]!).join(' '),
    scene: null,
    answer: vocab[rng.int(vocab.length)]!,
  }))
}

export function prepared(config: ModelConfig, data: readonly Example[]): PreparedExample[] {
  return data.map((e) => prepareExample(e, config.featureDim))
}

export function batchOf(config: ModelConfig, prep: readonly PreparedExample[]) {
  return new BatchBuilder(config.featureDim).build(prep, Int32Array.from(prep.keys()))
}

export function oneHot(labels: readonly number[], v: number): Float32Array {
  const y = new Float32Array(labels.length * v)
  labels.forEach((k, i) => {
    y[i * v + k] = 1
  })
  return y
}

export const COLORS = ['red', 'blue', 'green', 'yellow', 'black', 'white']
const CLASSES = ['cat', 'dog', 'car', 'cup', 'ball', 'bird']

/**
 * A synthetic separable task through the real featuriser: a scene of 2–3 objects in distinct 3×3
 * cells and the question "What color is the <class>?"; the answer is that object's colour. Chance
 * is 1/6. Solving it needs the mention features (m.k:<colour>), not just bag-of-words.
 */
export function colorTask(n: number, seed: number): Example[] {
  const rng = new Rng(seed, 'color-task')
  return Array.from({ length: n }, () => {
    const classes = rng.shuffle([...CLASSES]).slice(0, 2 + rng.int(2))
    const cells = rng.shuffle(Array.from({ length: 9 }, (_, i) => i))
    const objects = classes.map((c, i) => ({
      class: c,
      color: COLORS[rng.int(COLORS.length)]!,
      x: (cells[i]! % 3) * 100 + 10,
      y: Math.floor(cells[i]! / 3) * 100 + 10,
      w: 60,
      h: 60,
    }))
    const target = objects[rng.int(objects.length)]!
    return {
      prompt: `What color is the ${target.class}?\nAnswer the question using a single word or phrase.`,
      scene: { width: 300, height: 300, objects },
      answer: target.color,
    }
  })
}

export function accuracy(preds: readonly string[], data: readonly Example[]): number {
  return preds.filter((p, i) => p === data[i]!.answer).length / data.length
}
