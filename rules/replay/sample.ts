/**
 * Replay sampling within one earlier task.
 *
 * `sampleInsCL` is InsCL's `sample_example` (OPPO-Mente-Lab/InsCL replay/InsCL_sampling.py) with
 * its two cases:
 *   - quota < number of distinct instructions: the top-`quota` instructions by InsInfo, one random
 *     record each;
 *   - otherwise: every instruction gets max(1, int(score · quota)) random records, then random
 *     records of any instruction are added, or records of instructions that still have more than
 *     one are removed, until exactly `quota` remain.
 * Where InsCL's code would crash (an instruction asked for more records than it has:
 * `random.sample` raises) the share is capped at what exists. A quota above the task's record
 * count takes every record.
 *
 * `sampleUniform` is random replay: `quota` records drawn uniformly without replacement.
 * Both return indices into `records`, sorted, so a buffer lists records in their file order.
 */
import type { Rng } from '../learner/prng.ts'
import type { InsInfo } from './insinfo.ts'

export function sampleUniform(n: number, quota: number, rng: Rng): number[] {
  const idx = Array.from({ length: n }, (_, i) => i)
  return rng
    .shuffle(idx)
    .slice(0, Math.min(quota, n))
    .sort((a, b) => a - b)
}

export function sampleInsCL(
  instructionOf: readonly string[],
  info: InsInfo,
  quota: number,
  rng: Rng,
): number[] {
  const n = instructionOf.length
  if (quota >= n) return Array.from({ length: n }, (_, i) => i)
  const byInstruction = new Map<string, number[]>()
  instructionOf.forEach((ins, i) => {
    const list = byInstruction.get(ins)
    if (list) list.push(i)
    else byInstruction.set(ins, [i])
  })
  const known = info.instructions.filter((ins) => byInstruction.has(ins))
  const chosen: number[] = []
  if (quota < known.length) {
    for (const ins of known.slice(0, quota)) {
      const list = byInstruction.get(ins)!
      chosen.push(list[rng.int(list.length)]!)
    }
    return chosen.sort((a, b) => a - b)
  }
  const taken = new Set<number>()
  const perInstruction = new Map<string, number>()
  info.instructions.forEach((ins, r) => {
    const list = byInstruction.get(ins)
    if (!list) return
    const want = Math.min(list.length, Math.max(1, Math.floor(info.scores[r]! * quota)))
    for (const i of rng.shuffle([...list]).slice(0, want)) taken.add(i)
    perInstruction.set(ins, want)
  })
  if (taken.size < quota) {
    for (const i of rng.shuffle(Array.from({ length: n }, (_, k) => k))) {
      if (taken.size === quota) break
      if (taken.has(i)) continue
      taken.add(i)
      perInstruction.set(instructionOf[i]!, (perInstruction.get(instructionOf[i]!) ?? 0) + 1)
    }
  }
  if (taken.size > quota) {
    // Never remove an instruction's last record (InsCL's single_ins_ls).
    for (const i of rng.shuffle([...taken])) {
      if (taken.size === quota) break
      const ins = instructionOf[i]!
      if (perInstruction.get(ins)! <= 1) continue
      taken.delete(i)
      perInstruction.set(ins, perInstruction.get(ins)! - 1)
    }
  }
  return [...taken].sort((a, b) => a - b)
}
