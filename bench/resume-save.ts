/**
 * What resumable training costs the embedded learner: the size of one saved state and the CPU time
 * of a save and a load (rules/learner/resume.ts) at the default Coinfile's model (featureDim 16384,
 * embedDim 32, hidden [64, 64], full training: the packed embedding with its Adam moments is most of
 * it), and the CPU time of a training run that saves every 100 steps against one that never saves,
 * in the same process (a ratio, so a loaded machine shifts both).
 *
 *   npx tsx bench/resume-save.ts [--reps 20] [--steps 1000]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { buildTrainGraph, graphShape } from '../rules/learner/graphs.ts'
import { initModel, train } from '../rules/learner/index.ts'
import { Rng } from '../rules/learner/prng.ts'
import { loadState, STATE_FILE, saveState } from '../rules/learner/resume.ts'
import { initialState } from '../rules/learner/train.ts'
import type { Example } from '../rules/learner/types.ts'

const { values: args } = parseArgs({
  options: { reps: { type: 'string', default: '20' }, steps: { type: 'string', default: '1000' } },
})
const REPS = Number(args.reps)
const STEPS = Number(args.steps)
const VOCAB = Array.from({ length: 128 }, (_, i) => `answer${i}`)
const MODEL = { featureDim: 16384, embedDim: 32, hidden: [64, 64], vocab: VOCAB, seed: 0 }

const cpuMs = () => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!

const dir = mkdtempSync(join(tmpdir(), 'coin-resume-bench-'))
const ckpt = initModel(MODEL)
const state = initialState(buildTrainGraph(graphShape(ckpt.config), { kind: 'full' }), ckpt.base)
const loop = {
  step: 1,
  batchRng: [1, 2, 3, 4],
  dropoutRng: [1, 2, 3, 4],
  order: Array.from({ length: 5000 }, (_, i) => i),
  pos: 0,
  windowLoss: 0,
  windowSteps: 0,
  lastLoss: null,
  reports: [],
}
const saves: number[] = []
const loads: number[] = []
for (let i = 0; i < REPS; i++) {
  const t = cpuMs()
  saveState(dir, 'bench', state, loop)
  saves.push(cpuMs() - t)
}
for (let i = 0; i < REPS; i++) {
  const t = cpuMs()
  if (!loadState(dir, 'bench')) throw new Error('state not read back')
  loads.push(cpuMs() - t)
}
const bytes = statSync(join(dir, STATE_FILE)).size

// Training with and without saves, alternating, same data.
const rng = new Rng(1, 'bench')
const data: Example[] = Array.from({ length: 2000 }, (_, i) => ({
  prompt: `what is item ${rng.int(500)} near ${rng.int(500)}`,
  scene: null,
  answer: VOCAB[i % VOCAB.length]!,
}))
const opts = { steps: STEPS, lr: 0.003, batchSize: 64, seed: 0 }
await train(initModel(MODEL), { kind: 'full' }, data, { ...opts, steps: 20 }) // the session
const runs: Record<'never' | 'every100', number[]> = { never: [], every100: [] }
for (let r = 0; r < 3; r++)
  for (const kind of ['never', 'every100'] as const) {
    const t = cpuMs()
    await train(initModel(MODEL), { kind: 'full' }, data, {
      ...opts,
      ...(kind === 'every100' ? { resume: { dir: join(dir, `r${r}`), every: 100 } } : {}),
    })
    runs[kind].push(cpuMs() - t)
  }
rmSync(dir, { recursive: true, force: true })

console.log(`state file: ${bytes} bytes (full training, featureDim ${MODEL.featureDim})`)
console.log(
  `save: median ${median(saves).toFixed(1)} ms CPU; load: median ${median(loads).toFixed(1)} ms CPU (${REPS} each)`,
)
console.log(
  `train ${STEPS} steps: never saves ${median(runs.never).toFixed(0)} ms CPU, saves every 100 steps ${median(runs.every100).toFixed(0)} ms CPU (ratio ${(median(runs.every100) / median(runs.never)).toFixed(3)}, median of 3)`,
)
