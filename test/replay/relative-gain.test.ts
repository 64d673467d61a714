/** InsCL's Relative Gain as an SQL view over the accuracy matrix. */
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { queryResults, recordRun } from '../../src/results/index.ts'
import { experiment, FULL, type Matrix, TASKS, tempDir } from '../results/matrix-fixture.ts'

async function rg(matrix: Matrix): Promise<number | null> {
  const db = join(tempDir(), 'coin.duckdb')
  await recordRun(db, experiment('lora', 'sequential', TASKS, matrix))
  const rows = await queryResults(db, "SELECT relative_gain FROM relative_gain WHERE experiment = 'lora'")
  assert.is(rows.length, 1)
  return rows[0]!.relative_gain as number | null
}

test('RG = 100 · mean_j R[T][j] / R[j][j]', async () => {
  const d = FULL
  const T = TASKS.length
  let s = 0
  for (let j = 0; j < T; j++) s += d[T]![j]! / d[j + 1]![j]!
  const got = await rg(FULL)
  assert.ok(got !== null && Math.abs(got - (100 * s) / T) < 1e-9, `got ${got}`)
})

test('RG is NULL when a needed cell is missing or a diagonal cell is 0', async () => {
  const missing: Matrix = { ...FULL, [TASKS.length]: [null, ...FULL[TASKS.length]!.slice(1)] }
  assert.is(await rg(missing), null)
  const zero: Matrix = { ...FULL, 1: [0, ...FULL[1]!.slice(1)] }
  assert.is(await rg(zero), null)
})

test.run()
