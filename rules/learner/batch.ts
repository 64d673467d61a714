/**
 * Turns featurised examples into the batch tensors the graphs take (see graphs.ts):
 *   ids [K] int32     the batch's distinct feature rows, in first-seen order
 *   local [N, L] int32 for example n, slot l: an index into ids (0 in padding slots)
 *   wts [N, L] float  bag weight of that slot (0 in padding slots)
 *
 * Bag weights: a feature seen c times in an example of n features (duplicates included) gets
 * c/√n. With unit-variance random rows the bag then has the same scale whatever n is (a mean, c/n,
 * would shrink it by √n for long prompts), while each single feature still moves it. Rows are
 * shared across the batch, so the embedding gradient and Adam touch each row once per step.
 */
import type { PreparedExample } from './prepare.ts'

export interface Batch {
  n: number
  k: number
  l: number
  ids: Int32Array
  local: Int32Array
  wts: Float32Array
  /** [K]: 1 for a row some example of the batch uses as a scene feature (see isSceneFeature). */
  sceneRows: Float32Array
}

/** Reusable scratch (a slot per feature row) so building a batch is O(features), no hashing. */
export class BatchBuilder {
  #slot: Int32Array
  #stamp: Int32Array
  #generation = 0

  constructor(featureDim: number) {
    this.#slot = new Int32Array(featureDim)
    this.#stamp = new Int32Array(featureDim)
  }

  build(examples: readonly PreparedExample[], indices: ArrayLike<number>): Batch {
    const gen = ++this.#generation
    const n = indices.length
    let l = 1
    for (let i = 0; i < n; i++) l = Math.max(l, examples[indices[i]!]!.ids.length)
    const local = new Int32Array(n * l)
    const wts = new Float32Array(n * l)
    const ids: number[] = []
    const scene: number[] = []
    for (let i = 0; i < n; i++) {
      const ex = examples[indices[i]!]!
      for (let j = 0; j < ex.ids.length; j++) {
        const id = ex.ids[j]!
        if (this.#stamp[id] !== gen) {
          this.#stamp[id] = gen
          this.#slot[id] = ids.length
          ids.push(id)
          scene.push(0)
        }
        if (ex.scene[j]) scene[this.#slot[id]!] = 1
        local[i * l + j] = this.#slot[id]!
        wts[i * l + j] = ex.weights[j]!
      }
    }
    return { n, k: ids.length, l, ids: Int32Array.from(ids), local, wts, sceneRows: Float32Array.from(scene) }
  }
}
