/**
 * Per-example preprocessing shared by training and prediction: featurise once, merge duplicate
 * feature ids, and compute bag weights (c/√n, see batch.ts); for training also the label index.
 */
import { UserError } from '../../src/errors.ts'
import { featureStrings, fnv1a32, isSceneFeature } from './featurize.ts'
import type { Example } from './types.ts'

export interface PreparedExample {
  /** Distinct feature rows, in first-seen order. */
  ids: Int32Array
  weights: Float32Array
  /** 1 where the row holds a scene feature (see isSceneFeature), 0 for a text-only row. */
  scene: Uint8Array
}

export function prepareExample(example: Example, featureDim: number): PreparedExample {
  const strings = featureStrings(example)
  const counts = new Map<number, number>()
  const sceneRows = new Set<number>()
  for (const s of strings) {
    const id = fnv1a32(s) % featureDim
    counts.set(id, (counts.get(id) ?? 0) + 1)
    if (isSceneFeature(s)) sceneRows.add(id)
  }
  const norm = 1 / Math.sqrt(strings.length)
  const ids = new Int32Array(counts.size)
  const weights = new Float32Array(counts.size)
  const scene = new Uint8Array(counts.size)
  let i = 0
  for (const [id, c] of counts) {
    ids[i] = id
    weights[i] = c * norm
    scene[i] = sceneRows.has(id) ? 1 : 0
    i++
  }
  return { ids, weights, scene }
}

/** Label indices into `vocab`; an answer outside the vocabulary (or a missing one) is a user error. */
export function labelIndices(data: readonly Example[], vocab: readonly string[]): Int32Array {
  const index = new Map(vocab.map((a, i) => [a, i]))
  const labels = new Int32Array(data.length)
  for (let i = 0; i < data.length; i++) {
    const answer = data[i]!.answer
    const k = answer === undefined ? undefined : index.get(answer)
    if (k === undefined) {
      throw new UserError({
        message:
          answer === undefined
            ? `training example ${i} has no answer`
            : `training answer ${JSON.stringify(answer)} is not in the model's vocabulary (${vocab.length} answers)`,
        key: `examples[${i}].answer`,
        fix: 'build the model config vocab from every answer the experiment trains on',
      })
    }
    labels[i] = k
  }
  return labels
}
