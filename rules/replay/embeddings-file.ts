/**
 * Instruction embeddings computed outside coin (scripts/inscl_embed.py: a model's mean-pooled
 * hidden states, the Python path), read in place of the embedded learner's encoder:
 * `embeddings.json` (`{ dim, instructions }`, the row order) and `embeddings.f32` (row-major
 * little-endian float32, one row per instruction).
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { UserError } from '../../src/errors.ts'

export type Embedder = (instructions: readonly string[]) => Float64Array[]

export async function readEmbeddingsFile(dir: string): Promise<Embedder> {
  const meta = JSON.parse(await readFile(join(dir, 'embeddings.json'), 'utf8')) as {
    dim: number
    instructions: string[]
  }
  const bytes = await readFile(join(dir, 'embeddings.f32'))
  const n = meta.instructions.length
  if (bytes.byteLength !== n * meta.dim * 4)
    throw new UserError({
      message: `${join(dir, 'embeddings.f32')}: ${bytes.byteLength} bytes, expected ${n} × ${meta.dim} float32`,
      fix: 'rebuild the embeddings target (scripts/inscl_embed.py writes both files together)',
    })
  const row = new Map<string, number>(meta.instructions.map((ins, i) => [ins, i]))
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return (instructions) =>
    instructions.map((ins) => {
      const i = row.get(ins)
      if (i === undefined)
        throw new UserError({
          message: `${join(dir, 'embeddings.json')}: no embedding for instruction ${JSON.stringify(ins.slice(0, 80))}`,
          fix: "embed the same train files with the same --unit as the InsCL rule's `unit`",
        })
      const v = new Float64Array(meta.dim)
      for (let d = 0; d < meta.dim; d++) v[d] = view.getFloat32((i * meta.dim + d) * 4, true)
      return v
    })
}
