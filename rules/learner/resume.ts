/**
 * Resumable training: train() saves everything the rest of a run depends on into a directory
 * (coin's `ctx.scratch`) every N steps, and a later call with the same run resumes from it, so an
 * interrupted run that resumes ends with the same bytes as one that never stopped.
 *
 * `<dir>/learner-state.bin` (safetensors, written to a temp name and renamed, so a kill mid-write
 * leaves the previous state): the step's weights as `w.<name>` (the packed embedding included)
 * and Adam moments as `m.<name>` / `v.<name>`; the metadata's `state` is JSON with the step, the
 * PRNG states (batches, dropout), the sampler's epoch order and position, the open loss window
 * and the progress reports so far. `run` identifies the training run (model, method, data,
 * options); a state of another run is ignored, never loaded.
 */
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from './safetensors.ts'
import type { StepState } from './train.ts'

export const STATE_FILE = 'learner-state.bin'
const FORMAT = 'coin-learner-resume-1'

/** A progress report made before the save (the caller's training curve is rebuilt from them). */
export interface Report {
  step: number
  total: number
  loss: number
}

/** Everything besides the tensors that the steps after `step` read. */
export interface LoopState {
  step: number
  batchRng: number[]
  dropoutRng: number[]
  order: number[]
  pos: number
  windowLoss: number
  windowSteps: number
  lastLoss: number | null
  reports: Report[]
}

/** A digest of what makes two runs the same run (the caller passes the inputs it depends on). */
export function runIdentity(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex')
}

export function saveState(dir: string, run: string, tensors: StepState, loop: LoopState): void {
  const named: Record<string, NamedTensor> = {}
  for (const [name, t] of Object.entries(tensors.weights)) named[`w.${name}`] = t
  for (const [name, mv] of Object.entries(tensors.moments)) {
    const shape = tensors.weights[name]!.shape
    named[`m.${name}`] = { shape, data: mv.m }
    named[`v.${name}`] = { shape, data: mv.v }
  }
  const bytes = encodeSafetensors(named, { format: FORMAT, run, state: JSON.stringify(loop) })
  mkdirSync(dir, { recursive: true })
  const path = join(dir, STATE_FILE)
  const tmp = `${path}.${process.pid}.tmp`
  try {
    writeFileSync(tmp, bytes)
    renameSync(tmp, path)
  } catch (err) {
    rmSync(tmp, { force: true })
    throw err
  }
}

/**
 * The saved state of run `run` in `dir`, or undefined if there is none, it belongs to another run,
 * or it cannot be read (a torn or foreign file is not trusted: the run starts over).
 */
export function loadState(dir: string, run: string): { tensors: StepState; loop: LoopState } | undefined {
  let bytes: Buffer
  try {
    bytes = readFileSync(join(dir, STATE_FILE))
  } catch {
    return undefined
  }
  try {
    const { tensors, metadata } = decodeSafetensors(bytes)
    if (metadata.format !== FORMAT || metadata.run !== run || !metadata.state) return undefined
    const loop = JSON.parse(metadata.state) as LoopState
    const state: StepState = { weights: {}, moments: {} }
    for (const [name, t] of Object.entries(tensors)) {
      const bare = name.slice(2)
      if (name.startsWith('w.')) state.weights[bare] = t
      else {
        state.moments[bare] ??= { m: new Float32Array(0), v: new Float32Array(0) }
        state.moments[bare]![name.startsWith('m.') ? 'm' : 'v'] = t.data
      }
    }
    return { tensors: state, loop }
  } catch {
    return undefined
  }
}
