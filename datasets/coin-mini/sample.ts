import type { Rng } from './prng.ts'
import type { Scene } from './scene.ts'

/**
 * One generated question about one scene, before it is written in CoIN's record formats. A task
 * module only decides what to ask and what is true; `write-task.ts` owns the file formats and the
 * instruction line.
 */
export interface Sample {
  scene: Scene
  /** The question lines, without the instruction line (ScienceQA's options are part of it). Empty for Grounding. */
  question: string
  /** The one answer a train record teaches. */
  answer: string
  /** Grounding only: the referring expression that fills the instruction's `{ref}`. */
  ref?: string
  /** TextVQA only: the ten human answers of a test record (VQA soft accuracy). */
  humanAnswers?: string[]
}

export type SampleGenerator = (rng: Rng) => Sample
