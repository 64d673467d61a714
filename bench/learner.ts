/**
 * Benchmark of the embedded learner's train step against the plain onnxruntime SGD step of softmax
 * regression (ENVIRONMENT.md §3) at the same input width × vocabulary, plus prediction,
 * featurisation and a projection of the default CoIN-mini experiment.
 *
 *   npx tsx bench/learner.ts [--threads 1,2] [--steps 300] [--quick]
 *
 * Prints a table and writes bench/out/learner.json. Sizes are the defaults the learner is meant
 * to run at: featureDim 2^15, embedDim 32, hidden [64, 64], a 128-answer vocabulary (CoIN-mini has
 * about 125), batch 64, examples shaped like CoIN-mini's (a short question, 1–4 scene objects).
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { cpus } from 'node:os'
import { parseArgs } from 'node:util'
import { featurize } from '../rules/learner/featurize.ts'
import { initModel, predict, releaseSessions, train } from '../rules/learner/index.ts'
import { attr, GraphBuilder } from '../rules/learner/onnx-graph.ts'
import { prepareExample } from '../rules/learner/prepare.ts'
import { Rng } from '../rules/learner/prng.ts'
import { loadOrt } from '../rules/learner/session.ts'
import type { Example, MethodConfig, ModelConfig } from '../rules/learner/types.ts'

const { values: args } = parseArgs({
  options: {
    threads: { type: 'string', default: '1,2' },
    steps: { type: 'string', default: '300' },
    quick: { type: 'boolean' },
  },
})
const THREADS = args.threads.split(',').map(Number)
const STEPS = args.quick ? 60 : Number(args.steps)
const BATCH = 64
const VOCAB = Array.from({ length: 128 }, (_, i) => `answer ${i}`)
const CONFIG: ModelConfig = { featureDim: 1 << 15, embedDim: 32, hidden: [64, 64], vocab: VOCAB, seed: 0 }
const METHODS: MethodConfig[] = [
  { kind: 'full' },
  { kind: 'lora', r: 8, alpha: 16 },
  { kind: 'moelora', r: 8, alpha: 16, experts: 4 },
]

/** CoIN-mini-shaped examples (timing only; the answers are random). */
function examples(n: number, seed: number): Example[] {
  const rng = new Rng(seed, 'bench')
  const classes = [
    'cat',
    'dog',
    'bird',
    'horse',
    'car',
    'bus',
    'boat',
    'apple',
    'cake',
    'pizza',
    'cup',
    'chair',
    'clock',
    'ball',
  ]
  const colors = ['red', 'blue', 'green', 'yellow', 'black', 'white', 'orange', 'purple']
  const pick = <T>(xs: readonly T[]) => xs[rng.int(xs.length)]!
  const questions = [
    () => `What color is the ${pick(classes)} left of the ${pick(classes)}?`,
    () => `How many ${pick(classes)}s are there?`,
    () => `Is there a ${pick(colors)} ${pick(classes)} in the image?`,
    () => `What does the sign say?`,
    () =>
      `Which group does the object in the picture belong to?\nA. animal\nB. vehicle\nC. food\nD. household item`,
  ]
  return Array.from({ length: n }, () => ({
    prompt: `${pick(questions)()}\nAnswer the question using a single word or phrase.`,
    scene: {
      width: 640,
      height: 480,
      objects: Array.from({ length: 1 + rng.int(4) }, () => ({
        class: pick(classes),
        color: pick(colors),
        x: rng.int(500),
        y: rng.int(380),
        w: 40 + rng.int(100),
        h: 40 + rng.int(100),
        ...(rng.uniform() < 0.2 ? { text: pick(['STOP', 'ONE WAY', 'BUS STOP', 'CAFE']) } : {}),
      })),
    },
    answer: pick(VOCAB),
  }))
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/** ms/step of train(): a short warm-up call builds the session, then `STEPS` steps are timed (median of 3). */
async function learnerStep(method: MethodConfig, data: Example[], threads: number) {
  await releaseSessions()
  const base = initModel(CONFIG)
  const t0 = performance.now()
  await train(base, method, data, { steps: 1, lr: 1e-3, batchSize: BATCH, seed: 0, threads })
  const firstCall = performance.now() - t0
  const runs: number[] = []
  let ckpt = base
  for (let rep = 0; rep < 3; rep++) {
    const t = performance.now()
    ckpt = await train(base, method, data, { steps: STEPS, lr: 1e-3, batchSize: BATCH, seed: rep, threads })
    runs.push((performance.now() - t) / STEPS)
  }
  return { msPerStep: median(runs), firstCallMs: firstCall, ckpt }
}

/** The ENVIRONMENT.md §3 graph: one SGD step of softmax regression on dense inputs X [N, D]. */
function sgdGraph(): Uint8Array {
  const g = new GraphBuilder('softmax-regression-sgd')
  const W = g.input('W', 'float', ['D', 'C'])
  const b = g.input('b', 'float', ['C'])
  const X = g.input('X', 'float', ['N', 'D'])
  const Y = g.input('Y', 'float', ['N', 'C'])
  const lr = g.input('lr', 'float', [])
  const logits = g.add(g.matmul(X, W), b)
  const ls = g.op('LogSoftmax', [logits], { axis: attr.int(-1) })
  const n = g.op(
    'Cast',
    [g.op('Gather', [g.op('Shape', [X]), g.constInt64([0], [])], { axis: attr.int(0) })],
    {
      to: attr.int(1),
    },
  )
  g.output('loss', g.op('Neg', [g.div(g.reduceSum(g.mul(Y, ls), [0, 1], false), n)]))
  const gr = g.div(g.sub(g.op('Exp', [ls]), Y), n)
  g.output('W_out', g.sub(W, g.mul(lr, g.matmulTA(X, gr))))
  g.output('b_out', g.sub(b, g.mul(lr, g.reduceSum(gr, [0], false))))
  return g.toModel()
}

/**
 * ms/step of the baseline, outputs fed back, cycling through pre-made batches: 32 as in §3, or 8 at
 * the learner's width (a [64, 2^15] float batch is 8 MB).
 */
async function baselineStep(D: number, C: number, data: Example[] | null, threads: number, steps: number) {
  const ort = await loadOrt()
  const session = await ort.InferenceSession.create(sgdGraph(), {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  })
  const rng = new Rng(1, 'baseline')
  const batches = Array.from({ length: D > 8192 ? 8 : 32 }, (_, k) => {
    const X = new Float32Array(BATCH * D)
    const Y = new Float32Array(BATCH * C)
    for (let i = 0; i < BATCH; i++) {
      if (data) {
        // Multi-hot of the same features the learner sees (the dense equivalent of its bag).
        const ex = prepareExample(data[(k * BATCH + i) % data.length]!, D)
        ex.ids.forEach((id, j) => {
          X[i * D + id] = ex.weights[j]!
        })
      } else for (let j = 0; j < D; j++) X[i * D + j] = rng.range(-1, 1)
      Y[i * C + rng.int(C)] = 1
    }
    return { X: new ort.Tensor('float32', X, [BATCH, D]), Y: new ort.Tensor('float32', Y, [BATCH, C]) }
  })
  let W = new ort.Tensor('float32', new Float32Array(D * C), [D, C])
  let b = new ort.Tensor('float32', new Float32Array(C), [C])
  const lr = new ort.Tensor('float32', Float32Array.of(0.1), [])
  const run = async (n: number) => {
    for (let s = 0; s < n; s++) {
      const batch = batches[s % batches.length]!
      const out = await session.run({ W, b, X: batch.X, Y: batch.Y, lr })
      W = out.W_out as typeof W
      b = out.b_out as typeof b
    }
  }
  await run(10)
  const runs: number[] = []
  for (let rep = 0; rep < 3; rep++) {
    const t = performance.now()
    await run(steps)
    runs.push((performance.now() - t) / steps)
  }
  await session.release()
  return median(runs)
}

async function predictMs(
  ckpt: Awaited<ReturnType<typeof learnerStep>>['ckpt'],
  data: Example[],
  threads: number,
) {
  await predict(ckpt, data, { threads })
  const runs: number[] = []
  for (let rep = 0; rep < 5; rep++) {
    const t = performance.now()
    await predict(ckpt, data, { threads })
    runs.push(performance.now() - t)
  }
  return median(runs)
}

async function main() {
  const data = examples(600, 1)
  const testSet = examples(150, 2)
  const featurizeRuns: number[] = []
  for (let rep = 0; rep < 5; rep++) {
    const t = performance.now()
    for (const ex of data) featurize(ex, CONFIG.featureDim)
    featurizeRuns.push(((performance.now() - t) / data.length) * 1000)
  }
  const meanFeatures =
    data.reduce((a, ex) => a + prepareExample(ex, CONFIG.featureDim).ids.length, 0) / data.length

  const rows: Record<string, unknown>[] = []
  const results: Record<string, unknown> = {}
  for (const threads of THREADS) {
    const baseline = await baselineStep(CONFIG.featureDim, VOCAB.length, data, threads, args.quick ? 20 : 100)
    const envBaseline = await baselineStep(4096, 64, null, threads, args.quick ? 100 : 1000)
    const perMethod: Record<string, unknown> = {}
    for (const method of METHODS) {
      const r = await learnerStep(method, data, threads)
      const p = await predictMs(r.ckpt, testSet, threads)
      perMethod[method.kind] = { msPerStep: r.msPerStep, firstCallMs: r.firstCallMs, predict150Ms: p }
      rows.push({
        threads,
        method: method.kind,
        'ms/step': r.msPerStep.toFixed(3),
        'baseline ms/step': baseline.toFixed(3),
        'ratio (learner/baseline)': (r.msPerStep / baseline).toFixed(3),
        [`stage of ${STEPS} steps (s)`]: ((r.msPerStep * STEPS) / 1000).toFixed(2),
        'first call ms': r.firstCallMs.toFixed(0),
        'predict 150 ms': p.toFixed(1),
      })
    }
    results[`threads=${threads}`] = {
      baseline: { D: CONFIG.featureDim, C: VOCAB.length, N: BATCH, msPerStep: baseline },
      envBaseline: {
        D: 4096,
        C: 64,
        N: BATCH,
        msPerStep: envBaseline,
        environmentMdFigure: threads === 2 ? 0.77 : 1.31,
      },
      methods: perMethod,
    }
    console.log(
      `threads=${threads}: baseline D=${CONFIG.featureDim} C=${VOCAB.length}: ${baseline.toFixed(3)} ms/step; ` +
        `§3 setting D=4096 C=64: ${envBaseline.toFixed(3)} ms/step (ENVIRONMENT.md: ${threads === 2 ? 0.77 : 1.31})`,
    )
  }
  console.table(rows)

  // The default experiment: a base pre-training, 4 sequences × 8 stages (lora ×2, moelora, full),
  // and ~200 prediction passes over ~150 test examples, all on one thread.
  const one = results['threads=1'] as
    | { methods: Record<string, { msPerStep: number; predict150Ms: number }> }
    | undefined
  let projection: Record<string, number> | undefined
  if (one) {
    const m = one.methods
    const stage = (k: string) => (m[k]!.msPerStep * 300) / 1000
    projection = {
      basePretrain1000StepsS: (m.full!.msPerStep * 1000) / 1000,
      stagesS: 16 * stage('lora') + 8 * stage('moelora') + 8 * stage('full'),
      predictionsS: (200 * m.lora!.predict150Ms) / 1000,
    }
    projection.totalS = projection.basePretrain1000StepsS! + projection.stagesS! + projection.predictionsS!
    console.log(
      `projected default experiment (1 thread): base ${projection.basePretrain1000StepsS!.toFixed(1)} s + 32 stages ` +
        `${projection.stagesS!.toFixed(1)} s + 200 predictions ${projection.predictionsS!.toFixed(1)} s = ${projection.totalS.toFixed(1)} s`,
    )
  }
  console.log(
    `featurize: ${median(featurizeRuns).toFixed(1)} µs/example, ${meanFeatures.toFixed(1)} distinct features/example`,
  )

  const out = {
    when: new Date().toISOString(),
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version },
    sizes: { ...CONFIG, vocab: VOCAB.length, batch: BATCH, steps: STEPS },
    featurizeUsPerExample: median(featurizeRuns),
    meanDistinctFeatures: meanFeatures,
    results,
    projection,
    table: rows,
  }
  await mkdir(new URL('./out/', import.meta.url), { recursive: true })
  await writeFile(new URL('./out/learner.json', import.meta.url), `${JSON.stringify(out, null, 2)}\n`)
  console.log('wrote bench/out/learner.json')
  await releaseSessions()
}

await main()
