/**
 * The default experiment: the CoIN benchmark's protocol on CoIN-mini (bundled, generated from a
 * seed) with the embedded learner on CPU. `coin params` lists every knob; `--set` overrides one.
 *
 *   npx coin build results/forgetting     # everything, then results/forgetting.md
 *   npx coin why train/lora/7-vqav2 --set stages.vqav2.lr=0.001
 *   npx coin build results/replay         # none/random/InsCL/TG-SFT replay over replay.seeds seeds
 *
 * To run on the real CoIN release, set data.source to its Instructions folder (CoIN layout:
 * <Task>/train.json, test.json|val.json); the embedded learner then sees text only, so swap in a
 * GPU trainer rule for real work (see README "GPU trainers").
 */
import { fileURLToPath } from 'node:url'
import { defineCoinfile, dir, file, output } from 'coin'
import {
  alignment,
  type Cell,
  coinMini,
  coinTasks,
  evaluate,
  forgettingReport,
  prepareTask,
  pretrain,
  prompts,
  replayReport,
  type SequenceSpec,
  sequence,
  trainMultitask,
  vocabulary,
} from 'coin/rules'

/** CoIN's default order and the alphabetical order from its history (restricted to `tasks`). */
const COIN_ORDER = ['scienceqa', 'textvqa', 'imagenet', 'gqa', 'vizwiz', 'grounding', 'vqav2', 'ocrvqa']
const ALPHABET_ORDER = ['gqa', 'imagenet', 'ocrvqa', 'grounding', 'scienceqa', 'textvqa', 'vizwiz', 'vqav2']

export default defineCoinfile({
  params: {
    seed: 0,
    /** The tasks, in training order: `--set tasks=scienceqa,gqa` for a two-task release. */
    tasks: COIN_ORDER,
    data: {
      source: '',
      train: 400,
      test: 100,
      fraction: 1,
      testFraction: 1,
      // The gold CoIN's scorers read (DOMAIN.md §1.2): TextVQA_0.5.1_val.json, and ScienceQA's
      // folder of problems.json + pid_splits.json. CoIN-mini's val.json carries TextVQA's 10
      // answers itself; with the real release, set these or TextVQA is scored against one answer.
      textvqaAnnotations: '',
      scienceqaProblems: '',
    },
    template: 'original',
    // hidden[0] is the projector (trained in full by every method, as CoIN's mm_projector); the
    // adapters sit on the layers after it, never on the output layer (find_all_linear_names).
    model: { featureDim: 16384, embedDim: 32, hidden: [64, 64] },
    // The base: LLaVA's stage 1 stand-in, pre-trained on a generic description task generated from
    // the tasks' training scenes, never on the tasks themselves (CoIN's base never saw them).
    base: { steps: 1000, lr: 0.003, batchSize: 64 },
    train: { batchSize: 32, threads: 1 },
    // Per stage, as CoIN's scripts: cosine schedule, warmup ratio 0.03, weight decay 0.
    optimizer: { schedule: 'cosine', warmupRatio: 0.03, weightDecay: 0 },
    stages: {
      scienceqa: { steps: 300, lr: 0.01 },
      textvqa: { steps: 300, lr: 0.01 },
      imagenet: { steps: 300, lr: 0.01 },
      gqa: { steps: 300, lr: 0.01 },
      vizwiz: { steps: 300, lr: 0.01 },
      grounding: { steps: 300, lr: 0.01 },
      vqav2: { steps: 300, lr: 0.01 },
      ocrvqa: { steps: 300, lr: 0.01 },
    },
    methods: {
      lora: { r: 8, alpha: 16, dropout: 0.05 },
      moelora: { r: 8, alpha: 16, experts: 4, dropout: 0.05 },
    },
    multitask: { steps: 1200, lr: 0.003 },
    // Replay (rules/replay): records per earlier task; results/replay repeats every method over
    // `seeds` training/sampling seeds (0..seeds−1; seed 0 is the results/forgetting run).
    replay: { perTask: 20, seeds: 3 },
  },

  targets: (p) => {
    // Checked before anything runs: known task names, and each task's folder in data.source.
    const root = fileURLToPath(new URL('.', import.meta.url))
    const tasks = coinTasks(p.tasks, { source: p.data.source, root })
    const alphabet = ALPHABET_ORDER.filter((task) => (tasks as string[]).includes(task))
    const t = []

    // Data: the bundled benchmark (or the real CoIN release), validated per task, then templated.
    const source = p.data.source ? dir(p.data.source) : output('datasets/coin-mini')
    if (!p.data.source)
      t.push(
        coinMini('datasets/coin-mini', { params: { seed: p.seed, train: p.data.train, test: p.data.test } }),
      )
    for (const task of tasks) {
      t.push(
        prepareTask(`datasets/${task}`, {
          inputs: { source },
          params: { task, fraction: p.data.fraction, testFraction: p.data.testFraction, seed: p.seed },
        }),
      )
      t.push(
        prompts(`prompts/${task}@${p.template}`, {
          inputs: { task: output(`datasets/${task}`), templates: dir('datasets/templates') },
          params: { task, template: p.template },
        }),
      )
    }
    t.push(
      alignment('datasets/alignment', {
        inputs: Object.fromEntries(tasks.map((k) => [`task/${k}`, output(`datasets/${k}`)])),
        params: { seed: p.seed },
      }),
    )
    const promptsOf = (task: string) => `prompts/${task}@${p.template}`
    const annotations = {
      ...(p.data.textvqaAnnotations ? { textvqa: file(p.data.textvqaAnnotations) } : {}),
      ...(p.data.scienceqaProblems ? { scienceqa: dir(p.data.scienceqaProblems) } : {}),
    }
    t.push(
      vocabulary('datasets/vocab', {
        inputs: {
          ...Object.fromEntries(tasks.map((k) => [k, output(promptsOf(k))])),
          alignment: output('datasets/alignment'),
        },
      }),
    )

    // The base model every method starts from.
    const opt = (steps: number, lr: number) => ({
      steps,
      lr,
      batchSize: p.train.batchSize,
      seed: p.seed,
      threads: p.train.threads,
      schedule:
        p.optimizer.schedule === 'cosine'
          ? { kind: 'cosine' as const, warmupRatio: p.optimizer.warmupRatio }
          : { kind: 'constant' as const },
      weightDecay: p.optimizer.weightDecay,
    })
    t.push(
      pretrain('train/base', {
        inputs: {
          vocab: output('datasets/vocab'),
          'mix/alignment': output('datasets/alignment'),
        },
        params: {
          ...opt(p.base.steps, p.base.lr),
          batchSize: p.base.batchSize,
          model: p.model,
          fraction: 1,
        },
      }),
    )

    // Sequences: one per (method, order).
    const methods = {
      full: { kind: 'full' as const },
      lora: { kind: 'lora' as const, ...p.methods.lora },
      moelora: { kind: 'moelora' as const, ...p.methods.moelora },
    }
    type Experiment = Omit<SequenceSpec, 'base' | 'prompts' | 'optimisation' | 'stages'> & { seed?: number }
    const experiments: Experiment[] = [
      { name: 'full', methodName: 'full', method: methods.full, order: tasks, orderName: 'coin' },
      { name: 'lora', methodName: 'lora', method: methods.lora, order: tasks, orderName: 'coin' },
      {
        name: 'moelora',
        methodName: 'moelora',
        method: methods.moelora,
        order: tasks,
        orderName: 'coin',
      },
      {
        name: 'lora-alphabet',
        methodName: 'lora',
        method: methods.lora,
        order: alphabet,
        orderName: 'alphabet',
      },
    ]
    // Replay on LoRA (CoIN's order): none is the lora experiment itself; random, InsCL and
    // TG-SFT (pseudo-rehearsal) mix a buffer `replay/<experiment>/<k>` into each stage k ≥ 2.
    const replayMethods = ['none', 'random', 'inscl', 'tg-sft'] as const
    const replayExperiment = (m: (typeof replayMethods)[number], seed: number): Experiment => ({
      name: `${m === 'none' ? 'lora' : `lora-${m}`}${seed === 0 ? '' : `-s${seed}`}`,
      methodName: 'lora',
      method: methods.lora,
      order: tasks,
      orderName: 'coin',
      seed,
      replay: {
        method: m,
        perTask: p.replay.perTask,
        // TG-SFT's prompts come from the base's pre-training corpus (the alignment task), never the tasks.
        generic: { targets: ['datasets/alignment'], fraction: 1 },
      },
    })
    experiments.push(...replayMethods.filter((m) => m !== 'none').map((m) => replayExperiment(m, 0)))

    const cells: Omit<Cell, 'input'>[] = []
    const runSequence = (e: Experiment) => {
      const s = sequence({
        ...e,
        base: 'train/base',
        prompts: promptsOf,
        optimisation: { ...opt(300, 0.01), seed: e.seed ?? p.seed },
        stages: p.stages,
        annotations,
      })
      t.push(...s.targets)
      return s.evaluations.map((v) => v.cell)
    }
    const cellsOf = new Map(experiments.map((e) => [e.name, runSequence(e)]))
    for (const e of experiments) cells.push(...cellsOf.get(e.name)!)

    // Row 0 (zero-shot: the base model on every task) and the joint-training upper bound.
    const evaluateOnEveryTask = (
      checkpoint: string,
      experiment: string,
      row: { method: string; stage: number; stage_task: string },
    ) =>
      tasks.map((task) => {
        const e = evaluate({
          checkpoint,
          idSuffix: `${experiment}/${task}`,
          task,
          prompts: promptsOf(task),
          threads: p.train.threads,
          variant: 'coin',
          annotations: annotations[task as keyof typeof annotations],
          cell: { experiment, order_name: 'coin', eval_task: task, ...row },
        })
        t.push(...e.targets)
        return e.cell
      })
    const zeroshot = evaluateOnEveryTask('train/base', 'zeroshot', {
      method: 'base',
      stage: 0,
      stage_task: 'zeroshot',
    })
    cells.push(...zeroshot)
    // Every sequential experiment's matrix gets the same row 0 (for FWT).
    for (const e of experiments)
      cells.push(
        ...zeroshot.map((c) => ({ ...c, experiment: e.name, method: e.methodName, order_name: e.orderName })),
      )
    // One joint-training bound per method, trained with that method (CoIN's Multitask is LoRA).
    for (const [name, method] of Object.entries(methods)) {
      t.push(
        trainMultitask(`train/multitask/${name}`, {
          inputs: {
            model: output('train/base'),
            ...Object.fromEntries(tasks.map((k) => [`data/${k}`, output(promptsOf(k))])),
          },
          params: { ...opt(p.multitask.steps, p.multitask.lr), method },
        }),
      )
      cells.push(
        ...evaluateOnEveryTask(`train/multitask/${name}`, `multitask-${name}`, {
          method: name,
          stage: tasks.length,
          stage_task: 'multitask',
        }),
      )
    }

    // Results: a snapshot of every score; each build that changes it records a run in
    // results/coin.duckdb and renders results/forgetting.* for that run.
    const withInputs = cells.map((c, i) => ({ ...c, input: `c${i}` }))
    t.push(
      forgettingReport('results/forgetting', {
        inputs: Object.fromEntries(withInputs.map((c) => [c.input, output(c.target)])),
        params: {
          experiments: [
            ...experiments.map((e) => ({
              experiment: e.name,
              method: e.methodName,
              order_name: e.orderName,
              tasks: [...e.order],
              kind: 'sequential' as const,
            })),
            { experiment: 'zeroshot', method: 'base', order_name: 'coin', tasks, kind: 'zeroshot' as const },
            ...Object.keys(methods).map((name) => ({
              experiment: `multitask-${name}`,
              method: name,
              order_name: 'coin',
              tasks,
              kind: 'multitask' as const,
            })),
          ],
          cells: withInputs,
          formats: ['md', 'csv', 'tex', 'svg', 'html'],
        },
      }),
    )

    // results/replay: every replay method over seeds 0..seeds−1 (seed 0 = the runs above).
    const runs = replayMethods.flatMap((m) =>
      Array.from({ length: p.replay.seeds }, (_, seed) => ({
        e: replayExperiment(m, seed),
        replay: m,
        seed,
      })),
    )
    const replayCells: Omit<Cell, 'input'>[] = []
    for (const r of runs) {
      if (!cellsOf.has(r.e.name)) cellsOf.set(r.e.name, runSequence(r.e))
      replayCells.push(...cellsOf.get(r.e.name)!)
    }
    const withReplayInputs = replayCells.map((c, i) => ({ ...c, input: `c${i}` }))
    t.push(
      replayReport('results/replay', {
        inputs: Object.fromEntries(withReplayInputs.map((c) => [c.input, output(c.target)])),
        params: {
          experiments: runs.map((r) => ({
            experiment: r.e.name,
            method: r.e.methodName,
            order_name: r.e.orderName,
            tasks: [...r.e.order],
            kind: 'sequential' as const,
          })),
          cells: withReplayInputs,
          runs: runs.map((r) => ({ experiment: r.e.name, replay: r.replay, seed: r.seed })),
          perTask: p.replay.perTask,
        },
        publish: 'results',
      }),
    )
    return t
  },
})
