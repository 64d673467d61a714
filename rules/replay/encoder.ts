/**
 * Instruction embeddings from the embedded learner's own encoder: the model's first layer input,
 * the c/√n-weighted bag of the prompt's hashed features looked up in the checkpoint's embedding
 * table (prepare.ts). Text only (no scene): InsCL embeds instructions, not images.
 */
import { baseNames } from '../learner/params.ts'
import { prepareExample } from '../learner/prepare.ts'
import type { Checkpoint } from '../learner/types.ts'

export function embedInstructions(ckpt: Checkpoint, instructions: readonly string[]): Float64Array[] {
  const table = ckpt.base[baseNames.embedding]
  if (!table) throw new Error('internal error: checkpoint has no embedding table')
  const D = table.shape[1]!
  return instructions.map((prompt) => {
    const { ids, weights } = prepareExample({ prompt, scene: null }, ckpt.config.featureDim)
    const v = new Float64Array(D)
    for (let k = 0; k < ids.length; k++) {
      const row = ids[k]! * D
      const w = weights[k]!
      for (let d = 0; d < D; d++) v[d] = v[d]! + w * table.data[row + d]!
    }
    return v
  })
}
