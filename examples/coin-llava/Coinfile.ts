/**
 * The real benchmark: CoIN with a LLaVA-style model trained stage by stage by the Python trainers
 * in scripts/ (PyTorch, transformers, peft), LoRA and MoELoRA, scored by coin's CoIN scorers, with
 * the same evaluation matrix and report as the default Coinfile, plus CoIN's General-Knowledge judge.
 *
 *   pip install -r scripts/requirements.txt
 *   npx coin build -f examples/coin-llava/Coinfile.ts results/forgetting --set model=tiny   # CPU, minutes
 *   npx coin build -f examples/coin-llava/Coinfile.ts results/forgetting \
 *       --set model=/models/llava-1.5-7b-hf --set data.source=/data/CoIN/Instructions_Original \
 *       --set data.images=/data/CoIN/images --set gpus=8
 *
 * `model=tiny` builds a random-initialised tiny LLaVA from a config with a tokenizer trained on the
 * data (nothing is downloaded) and trains it on CoIN-mini, whose scenes are rendered to 32×32 PNGs.
 * Command rules declare the Python modules they run and the requirements lock as inputs and the
 * library versions as env, so editing scripts/train.py makes exactly the train targets stale.
 *
 * Replay (`results/replay`): a LoRA sequence per method in `replay.methods`, its buffer
 * `replay/lora-<method>/<k>` mixed into stage k (`--replay`). random and inscl are coin's own
 * buffer rules (rules/replay); inscl takes its tags from an LLM (`inscl/tags`, scripts/inscl_tags.py,
 * InsCL's prompt) and its instruction vectors from the base model's hidden states
 * (`inscl/embeddings`, scripts/inscl_embed.py). tg-sft: the stage k−1 model grows a tree of
 * dialogues and round(mixRatio × task k's records) of them are mixed in (scripts/tg_sft.py).
 */
import { join } from 'node:path'
import { type AnyTargetDecl, defineCoinfile, dir, file, output, sh, shell } from 'coin'
import {
  type Cell,
  coinMini,
  forgettingReport,
  insclReplay,
  prepareTask,
  prompts,
  randomReplay,
  replayReport,
  scoreTaskRule,
} from 'coin/rules'

/** CoIN's default task order (DOMAIN.md §1.1). */
const COIN_ORDER = ['scienceqa', 'textvqa', 'imagenet', 'gqa', 'vizwiz', 'grounding', 'vqav2', 'ocrvqa']
/** Where scripts/ lives, relative to this Coinfile (the project root of this Coinfile). */
const REPO = '../..'
/** The Python modules each command imports (its key covers exactly these files). */
const COMMON = [
  '__init__',
  'checkpoint',
  'conversation',
  'data',
  'device',
  'lora_targets',
  'moelora',
  'progress',
]
const MODULES = {
  train: [...COMMON, 'scene_text', 'schedule', 'train'],
  predict: [...COMMON, 'scene_text', 'predict'],
  judge: ['__init__', 'progress', 'judge'],
  tags: [
    '__init__',
    'checkpoint',
    'conversation',
    'device',
    'inscl_tags',
    'inscl_units',
    'lm_text',
    'lora_targets',
    'moelora',
    'progress',
  ],
  embed: [
    '__init__',
    'checkpoint',
    'conversation',
    'device',
    'inscl_embed',
    'inscl_units',
    'lm_text',
    'lora_targets',
    'moelora',
    'progress',
  ],
  tree: [
    '__init__',
    'checkpoint',
    'conversation',
    'device',
    'lm_text',
    'lora_targets',
    'moelora',
    'progress',
    'tg_sft',
  ],
  tiny: ['__init__', 'conversation', 'tiny_model'],
  render: ['__init__', 'render_scenes'],
}
/** Library versions in the key (the lock pins them; bump here when the lock changes a CUDA build). */
const ENV = { torch: '2.15.0', transformers: '5.23.0', peft: '0.21.2', python: '3.11' }

const code = (job: keyof typeof MODULES) => ({
  ...Object.fromEntries(MODULES[job].map((m) => [`py/${m}`, file(`${REPO}/scripts/${m}.py`)])),
  requirements: file(`${REPO}/scripts/requirements.txt`),
})
/** Runs `python3 -m scripts.<module>` from the repository (absolute paths in, absolute out). */
const python = (root: string) => join(root, REPO)

interface Method {
  kind: 'full' | 'lora' | 'moelora'
  r: number
  alpha: number
  experts: number
}
interface TrainParams {
  method: Method
  lr: number
  epochs: number
  steps: number
  batchSize: number
  gradAccum: number
  warmupRatio: number
  weightDecay: number
  seed: number
}

const train = shell<TrainParams>({
  name: 'train-llava',
  // Declared params (checked for every target at load; not in the key: a shell rule is identified
  // by its command template).
  params: {
    method: { kind: 'lora', r: 1, alpha: 1, experts: 1 },
    lr: 0.1,
    epochs: 1,
    steps: 1,
    batchSize: 1,
    gradAccum: 1,
    warmupRatio: 0.1,
    weightDecay: 0.1,
    seed: 0,
  },
  // --resume-dir: the target's scratch directory (kept across interrupted or failed attempts of the
  // same key), where train.py saves a resume checkpoint every tenth of the run and on SIGTERM.
  command: ({ inputs, params: p, out, root, scratch }) => {
    const data = Object.keys(inputs)
      .filter((k) => k.startsWith('data/'))
      .sort()
      .flatMap((k) => ['--data', `${inputs[k]}/train.json`])
    const prev = inputs.prev ? ['--prev', inputs.prev] : []
    const replay = inputs.replay ? ['--replay', `${inputs.replay}/train.json`] : []
    return sh`cd ${python(root)} && python3 -m scripts.train --model ${inputs.model} ${prev} ${data} ${replay} --image-folder ${inputs.images} --method ${p.method.kind} --r ${p.method.r} --alpha ${p.method.alpha} --experts ${p.method.experts} --lr ${p.lr} --epochs ${p.epochs} --steps ${p.steps} --batch-size ${p.batchSize} --grad-accum ${p.gradAccum} --warmup-ratio ${p.warmupRatio} --weight-decay ${p.weightDecay} --seed ${p.seed} --resume-dir ${scratch} --out ${out}`
  },
})

const predict = shell<{ tasks: string[]; batchSize: number; maxNewTokens: number }>({
  name: 'predict-llava',
  params: { tasks: [''], batchSize: 1, maxNewTokens: 1 },
  command: ({ inputs, params: p, out, root }) => {
    const evals = p.tasks.flatMap((t) => ['--eval', `${t}=${inputs[`data/${t}`]}/test.json`])
    const checkpoint = inputs.checkpoint ? ['--checkpoint', inputs.checkpoint] : []
    return sh`cd ${python(root)} && python3 -m scripts.predict --model ${inputs.model} ${checkpoint} ${evals} --image-folder ${inputs.images} --batch-size ${p.batchSize} --max-new-tokens ${p.maxNewTokens} --out ${out}`
  },
})

const judge = shell<{ task: string; endpoint: string; name: string }>({
  name: 'gk-judge',
  params: { task: '', endpoint: '', name: '' },
  command: ({ inputs, params: p, out, root, key }) => {
    const by = p.endpoint
      ? ['--endpoint', p.endpoint, '--judge-name', p.name]
      : ['--judge-model', inputs.judge]
    return sh`cd ${python(root)} && python3 -m scripts.judge --predictions ${`${inputs.predictions}/${p.task}/merge.jsonl`} --questions ${`${inputs.data}/test.json`} ${by} --task ${p.task} --key ${key} --out ${out}`
  },
})

const tinyModel = shell<{ seed: number; imageSize: number }>({
  name: 'tiny-llava',
  params: { seed: 0, imageSize: 1 },
  command: ({ inputs, params: p, out, root }) => {
    const data = Object.keys(inputs)
      .filter((k) => k.startsWith('data/'))
      .sort()
      .flatMap((k) => [`${inputs[k]}/train.json`, `${inputs[k]}/test.json`])
    return sh`cd ${python(root)} && python3 -m scripts.tiny_model --kind llava --data ${data} --image-size ${p.imageSize} --seed ${p.seed} --out ${out}`
  },
})

/** InsCL's tags by an LLM (InsCL's prompt), for every instruction of the tasks' train files. */
const insclTags = shell<{ unit: string; maxNewTokens: number; batchSize: number }>({
  name: 'inscl-tags',
  params: { unit: '', maxNewTokens: 1, batchSize: 1 },
  command: ({ inputs, params: p, out, root }) => {
    const data = dataFiles(inputs).flatMap((f) => ['--data', f])
    return sh`cd ${python(root)} && python3 -m scripts.inscl_tags --model ${inputs.model} ${data} --unit ${p.unit} --max-new-tokens ${p.maxNewTokens} --batch-size ${p.batchSize} --out ${out}`
  },
})

/** Instruction vectors (mean-pooled hidden states) for InsCL's task distances. */
const insclEmbeddings = shell<{ unit: string; batchSize: number }>({
  name: 'inscl-embeddings',
  params: { unit: '', batchSize: 1 },
  command: ({ inputs, params: p, out, root }) => {
    const data = dataFiles(inputs).flatMap((f) => ['--data', f])
    return sh`cd ${python(root)} && python3 -m scripts.inscl_embed --model ${inputs.model} ${data} --unit ${p.unit} --batch-size ${p.batchSize} --out ${out}`
  },
})

interface TreeParams {
  widths: string
  dedup: number
  mixRatio: number
  questionTokens: number
  answerTokens: number
  temperature: number
  topP: number
  seed: number
}

/** TG-SFT: the previous stage's model grows its own rehearsal dialogues (a tree), mixed into stage k. */
const tgsftTree = shell<TreeParams>({
  name: 'tg-sft-tree',
  params: {
    widths: '',
    dedup: 0.1,
    mixRatio: 0.1,
    questionTokens: 1,
    answerTokens: 1,
    temperature: 0.1,
    topP: 0.1,
    seed: 0,
  },
  command: ({ inputs, params: p, out, root }) => {
    const data = dataFiles(inputs).flatMap((f) => ['--data', f])
    const checkpoint = inputs.checkpoint ? ['--checkpoint', inputs.checkpoint] : []
    return sh`cd ${python(root)} && python3 -m scripts.tg_sft --model ${inputs.model} ${checkpoint} ${data} --widths ${p.widths} --dedup ${p.dedup} --mix-ratio ${p.mixRatio} --question-tokens ${p.questionTokens} --answer-tokens ${p.answerTokens} --temperature ${p.temperature} --top-p ${p.topP} --seed ${p.seed} --out ${out}`
  },
})

/** The train files of a command's `data/<task>` inputs, in task order. */
const dataFiles = (inputs: Record<string, unknown>) =>
  Object.keys(inputs)
    .filter((k) => k.startsWith('data/'))
    .sort()
    .map((k) => `${inputs[k]}/train.json`)

const renderScenes = shell<{ size: number }>({
  name: 'render-scenes',
  params: { size: 1 },
  command: ({ inputs, params: p, out, root }) =>
    sh`cd ${python(root)} && python3 -m scripts.render_scenes --source ${inputs.source} --size ${p.size} --out ${out}`,
})

export default defineCoinfile({
  params: {
    seed: 0,
    /** 'tiny' (CPU, CoIN-mini) or the path of a LLaVA-style HF model folder. */
    model: 'models/llava-1.5-7b-hf',
    /** CoIN's Instructions folder and image folder; empty = CoIN-mini (generated). */
    data: { source: '', images: '', train: 64, test: 16 },
    /** How many tasks of CoIN's order (tiny: 3). */
    tasks: 8,
    tiny: {
      tasks: 3,
      imageSize: 32,
      steps: 8,
      /** Replay on CPU: a small budget, short tags and a small tree of short turns. */
      replay: { perTask: 4, maxNewTokens: 16, widths: '4,4', questionTokens: 8, answerTokens: 8 },
    },
    template: 'original',
    gpus: 0,
    train: { lr: 2e-4, epochs: 1, batchSize: 16, gradAccum: 1, warmupRatio: 0.03, weightDecay: 0 },
    /** Per-stage learning rates (`--set stages.imagenet.lr=1e-4`). */
    stages: Object.fromEntries(COIN_ORDER.map((task) => [task, { lr: 2e-4 }])),
    experiments: { full: false, lora: true, moelora: true },
    /**
     * Replay for LoRA (`results/replay`; see the header): methods, records per earlier task, and
     * InsCL's and TG-SFT's knobs. The tagger LM defaults to the base model.
     */
    replay: {
      methods: { random: true, inscl: true, 'tg-sft': true },
      perTask: 20,
      unit: 'prompt' as 'prompt' | 'instruction',
      points: 64,
      masses: 'frequency' as 'frequency' | 'uniform',
      tagger: { model: '', maxNewTokens: 128, batchSize: 16 },
      tree: {
        widths: '4,2',
        dedup: 0.9,
        mixRatio: 0.25,
        questionTokens: 48,
        answerTokens: 96,
        temperature: 1.0,
        topP: 0.95,
      },
    },
    methods: { lora: { r: 8, alpha: 16 }, moelora: { r: 8, alpha: 16, experts: 4 } },
    predict: { batchSize: 16, maxNewTokens: 24 },
    /** The GK judge: an OpenAI-compatible endpoint (vLLM), else a local HF model (tiny: the base). */
    judge: { endpoint: '', name: 'judge', model: '' },
  },

  targets: (p) => {
    const tiny = p.model === 'tiny'
    const tasks = COIN_ORDER.slice(0, tiny ? p.tiny.tasks : p.tasks)
    const t: AnyTargetDecl[] = []
    const resources = { cpu: 1, gpu: p.gpus }

    // Data: CoIN-mini (rendered to PNGs) or the real release, validated and templated as usual.
    if (!p.data.source) {
      t.push(
        coinMini('datasets/coin-mini', { params: { seed: p.seed, train: p.data.train, test: p.data.test } }),
      )
      t.push(
        renderScenes('datasets/coin-mini-png', {
          inputs: { source: output('datasets/coin-mini'), ...code('render') },
          params: { size: p.tiny.imageSize },
          env: ENV,
        }),
      )
    }
    const source = p.data.source ? dir(p.data.source) : output('datasets/coin-mini')
    const images = p.data.images ? dir(p.data.images) : output('datasets/coin-mini-png')
    for (const task of tasks) {
      t.push(
        prepareTask(`datasets/${task}`, {
          inputs: { source },
          params: { task, fraction: 1, testFraction: 1, seed: p.seed },
        }),
        prompts(`prompts/${task}`, {
          inputs: { task: output(`datasets/${task}`), templates: dir(`${REPO}/datasets/templates`) },
          params: { task, template: p.template },
        }),
      )
    }
    const dataOf = (list: readonly string[]) =>
      Object.fromEntries(list.map((k) => [`data/${k}`, output(`prompts/${k}`)]))

    // The base model: a path (hashed once, then served from the stat cache) or the tiny one.
    if (tiny)
      t.push(
        tinyModel('models/tiny', {
          inputs: { ...dataOf(tasks), ...code('tiny') },
          params: { seed: p.seed, imageSize: p.tiny.imageSize },
          env: ENV,
        }),
      )
    const base = tiny ? output('models/tiny') : dir(p.model)
    const optimisation = (task: string | null) => {
      const o = { ...p.train, ...(task ? p.stages[task] : {}) } as typeof p.train
      return { ...o, steps: tiny ? p.tiny.steps : 0, seed: p.seed }
    }

    const cells: Omit<Cell, 'input'>[] = []
    const evaluate = (
      id: string,
      checkpoint: string | null,
      row: Omit<Cell, 'input' | 'target' | 'params' | 'eval_task'>,
      evalTasks: readonly string[],
      sink: Omit<Cell, 'input'>[] = cells,
    ) => {
      t.push(
        predict(`predict/${id}`, {
          inputs: {
            model: base,
            images,
            ...(checkpoint ? { checkpoint: output(checkpoint) } : {}),
            ...dataOf(evalTasks),
            ...code('predict'),
          },
          params: { tasks: [...evalTasks], ...p.predict },
          resources,
          env: ENV,
        }),
      )
      for (const task of evalTasks) {
        const params = { task, variant: 'coin' as const, folder: task }
        t.push(
          scoreTaskRule(`eval/${id}/${task}`, {
            inputs: { predictions: output(`predict/${id}`), data: output(`prompts/${task}`) },
            params,
          }),
        )
        sink.push({ ...row, eval_task: task, target: `eval/${id}/${task}`, params })
      }
    }

    // Sequences: stage k starts from stage k−1's adapter (CoIN), evaluated on tasks 1..k.
    const methods: Record<string, Method> = {
      full: { kind: 'full', r: 0, alpha: 0, experts: 0 },
      lora: { kind: 'lora', experts: 1, ...p.methods.lora },
      moelora: { kind: 'moelora', ...p.methods.moelora },
    }
    const experiments = Object.entries(p.experiments)
      .filter(([, on]) => on)
      .map(([name]) => name)
    // Replay (results/replay): plain LoRA is the `none` row; each method its own LoRA sequence.
    const replayMethods = Object.entries(p.replay.methods)
      .filter(([, on]) => on)
      .map(([m]) => m as 'random' | 'inscl' | 'tg-sft')
    const replayCells: Omit<Cell, 'input'>[] = []
    const sequences = [
      ...experiments.map((name) => ({ name, method: name, replay: null, sink: cells })),
      ...(replayMethods.length && !experiments.includes('lora')
        ? [{ name: 'lora', method: 'lora', replay: null, sink: replayCells }]
        : []),
      ...replayMethods.map((m) => ({ name: `lora-${m}`, method: 'lora', replay: m, sink: replayCells })),
    ]
    const replayBuffer = (seq: (typeof sequences)[number], k: number, previous: string): string | null => {
      if (!seq.replay || k < 2) return null
      const id = `replay/${seq.name}/${k}`
      const perTask = tiny ? p.tiny.replay.perTask : p.replay.perTask
      const earlier = Object.fromEntries(
        tasks.slice(0, k - 1).map((task, i) => [`task/${i + 1}-${task}`, output(`prompts/${task}`)]),
      )
      const params = { stage: k, perTask, seed: p.seed }
      if (seq.replay === 'random') t.push(randomReplay(id, { inputs: earlier, params }))
      else if (seq.replay === 'inscl')
        t.push(
          insclReplay(id, {
            inputs: {
              ...earlier,
              current: output(`prompts/${tasks[k - 1]}`),
              tags: output('inscl/tags'),
              embeddings: output('inscl/embeddings'),
            },
            params: {
              ...params,
              unit: p.replay.unit,
              points: p.replay.points,
              masses: p.replay.masses,
              tagger: 'file',
              embeddings: 'file',
            },
          }),
        )
      else {
        const tree = p.replay.tree
        t.push(
          tgsftTree(id, {
            inputs: {
              model: base,
              checkpoint: output(previous),
              ...dataOf([tasks[k - 1]!]),
              ...code('tree'),
            },
            params: {
              ...tree,
              ...(tiny
                ? {
                    widths: p.tiny.replay.widths,
                    questionTokens: p.tiny.replay.questionTokens,
                    answerTokens: p.tiny.replay.answerTokens,
                  }
                : {}),
              seed: p.seed,
            },
            resources,
            env: ENV,
          }),
        )
      }
      return id
    }
    if (replayMethods.includes('inscl')) {
      // InsCL tags and embeds every task's instructions once, with fixed models (its tag_pkl/ and
      // encoded_ins_dist.pkl); coin's InsCL rule reads both in place of its word tagger and encoder.
      const tagger = p.replay.tagger
      t.push(
        insclTags('inscl/tags', {
          inputs: { model: tagger.model ? dir(tagger.model) : base, ...dataOf(tasks), ...code('tags') },
          params: {
            unit: p.replay.unit,
            maxNewTokens: tiny ? p.tiny.replay.maxNewTokens : tagger.maxNewTokens,
            batchSize: tagger.batchSize,
          },
          resources,
          env: ENV,
        }),
        insclEmbeddings('inscl/embeddings', {
          inputs: { model: base, ...dataOf(tasks), ...code('embed') },
          params: { unit: p.replay.unit, batchSize: tagger.batchSize },
          resources,
          env: ENV,
        }),
      )
    }
    for (const seq of sequences) {
      let previous: string | null = null
      tasks.forEach((task, i) => {
        const id = `train/${seq.name}/${i + 1}-${task}`
        const buffer = previous ? replayBuffer(seq, i + 1, previous) : null
        t.push(
          train(id, {
            inputs: {
              model: base,
              images,
              ...(previous ? { prev: output(previous) } : {}),
              ...(buffer ? { replay: output(buffer) } : {}),
              ...dataOf([task]),
              ...code('train'),
            },
            params: { ...optimisation(task), method: methods[seq.method]! },
            resources,
            env: ENV,
          }),
        )
        evaluate(
          `${seq.name}/${i + 1}-${task}`,
          id,
          { experiment: seq.name, method: seq.method, order_name: 'coin', stage: i + 1, stage_task: task },
          tasks.slice(0, i + 1),
          seq.sink,
        )
        previous = id
      })
    }

    // Row 0 (the base model on every task) and the joint-training upper bound (LoRA on all tasks).
    evaluate(
      'zeroshot',
      null,
      { experiment: 'zeroshot', method: 'base', order_name: 'coin', stage: 0, stage_task: 'zeroshot' },
      tasks,
    )
    const zeroshot = cells.filter((c) => c.experiment === 'zeroshot')
    for (const name of experiments)
      cells.push(...zeroshot.map((c) => ({ ...c, experiment: name, method: name })))
    for (const seq of sequences.filter((q) => q.sink === replayCells))
      replayCells.push(...zeroshot.map((c) => ({ ...c, experiment: seq.name, method: seq.method })))
    t.push(
      train('train/multitask', {
        inputs: { model: base, images, ...dataOf(tasks), ...code('train') },
        params: { ...optimisation(null), method: methods.lora! },
        resources,
        env: ENV,
      }),
    )
    evaluate(
      'multitask',
      'train/multitask',
      {
        experiment: 'multitask',
        method: 'lora',
        order_name: 'coin',
        stage: tasks.length,
        stage_task: 'multitask',
      },
      tasks,
    )

    // CoIN's General-Knowledge judge on each final checkpoint's answers (not in the report's matrix).
    for (const name of experiments) {
      const last = `${name}/${tasks.length}-${tasks.at(-1)}`
      for (const task of tasks)
        t.push(
          judge(`judge/${name}/${task}`, {
            inputs: {
              predictions: output(`predict/${last}`),
              data: output(`prompts/${task}`),
              ...(p.judge.endpoint ? {} : { judge: p.judge.model ? dir(p.judge.model) : base }),
              ...code('judge'),
            },
            params: { task, endpoint: p.judge.endpoint, name: p.judge.name },
            resources,
            env: ENV,
          }),
        )
    }

    const withInputs = cells.map((c, i) => ({ ...c, input: `c${i}` }))
    t.push(
      forgettingReport('results/forgetting', {
        inputs: Object.fromEntries(withInputs.map((c) => [c.input, output(c.target)])),
        params: {
          experiments: [
            ...experiments.map((name) => ({
              experiment: name,
              method: name,
              order_name: 'coin',
              tasks,
              kind: 'sequential' as const,
            })),
            { experiment: 'zeroshot', method: 'base', order_name: 'coin', tasks, kind: 'zeroshot' as const },
            {
              experiment: 'multitask',
              method: 'lora',
              order_name: 'coin',
              tasks,
              kind: 'multitask' as const,
            },
          ],
          cells: withInputs,
          formats: ['md', 'csv', 'tex', 'svg'],
        },
        publish: 'results',
      }),
    )
    if (replayMethods.length) {
      // Plain LoRA's cells come from results/forgetting's when it runs LoRA too.
      const runs = sequences.filter((q) => q.method === 'lora' && (q.replay || q.name === 'lora'))
      const all = [...replayCells, ...cells.filter((c) => c.experiment === 'lora')]
      const withReplayInputs = all.map((c, i) => ({ ...c, input: `c${i}` }))
      t.push(
        replayReport('results/replay', {
          inputs: Object.fromEntries(withReplayInputs.map((c) => [c.input, output(c.target)])),
          params: {
            experiments: runs.map((q) => ({
              experiment: q.name,
              method: q.method,
              order_name: 'coin',
              tasks,
              kind: 'sequential' as const,
            })),
            cells: withReplayInputs,
            runs: runs.map((q) => ({ experiment: q.name, replay: q.replay ?? 'none', seed: p.seed })),
            perTask: tiny ? p.tiny.replay.perTask : p.replay.perTask,
          },
          publish: 'results',
        }),
      )
    }
    return t
  },
})
