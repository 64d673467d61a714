/**
 * Instruction embeddings from a file (scripts/inscl_embed.py's format): rows looked up by
 * instruction, float32 little-endian, and clear errors for a missing instruction or a short file.
 */
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readEmbeddingsFile } from '../../rules/replay/embeddings-file.ts'
import { UserError } from '../../src/errors.ts'
import { tempDir } from '../helpers/temp.ts'

function write(rows: number[][], instructions: string[], bytes?: number): string {
  const dir = tempDir('coin-emb-')
  writeFileSync(join(dir, 'embeddings.json'), JSON.stringify({ dim: rows[0]!.length, instructions }))
  const buf = Buffer.alloc(rows.length * rows[0]!.length * 4)
  for (const [i, x] of rows.flat().entries()) buf.writeFloatLE(x, i * 4)
  writeFileSync(join(dir, 'embeddings.f32'), bytes === undefined ? buf : buf.subarray(0, bytes))
  return dir
}

test('rows are looked up by instruction', async () => {
  const dir = write(
    [
      [1, 0.5, -2],
      [0.25, 3, 4],
    ],
    ['a?', 'b\nc'],
  )
  const embed = await readEmbeddingsFile(dir)
  assert.equal(
    embed(['b\nc', 'a?', 'b\nc']).map((v) => [...v]),
    [
      [0.25, 3, 4],
      [1, 0.5, -2],
      [0.25, 3, 4],
    ],
  )
  rmSync(dir, { recursive: true })
})

test('a missing instruction and a short file are user errors naming the file', async () => {
  const dir = write([[1, 2]], ['a'])
  const embed = await readEmbeddingsFile(dir)
  try {
    embed(['zzz'])
    assert.unreachable()
  } catch (e) {
    assert.ok(e instanceof UserError)
    assert.match((e as Error).message, /embeddings\.json: no embedding for instruction "zzz"/)
  }
  const short = write([[1, 2]], ['a'], 4)
  try {
    await readEmbeddingsFile(short)
    assert.unreachable()
  } catch (e) {
    assert.ok(e instanceof UserError)
    assert.match((e as Error).message, /embeddings\.f32: 4 bytes, expected 1 × 2 float32/)
  }
  rmSync(dir, { recursive: true })
  rmSync(short, { recursive: true })
})

test.run()
