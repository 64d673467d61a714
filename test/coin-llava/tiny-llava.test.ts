/**
 * examples/coin-llava with `--set model=tiny`, end to end on CPU with the real Python trainers
 * (torch, transformers, peft): a 3-task LoRA and a 3-task MoELoRA sequence, predictions, CoIN
 * scoring and the report; a second build runs nothing; editing scripts/train.py makes exactly the
 * train targets stale; changing stage 3's lr reruns stage 3 and what follows only.
 * Needs `pip install -r scripts/requirements.txt` (CI does it).
 */
import { spawn, spawnSync } from 'node:child_process'
import { appendFileSync, cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { BuildEvent } from '../../src/events.ts'
import { repoRoot, TempProject } from '../helpers/project.ts'

const COINFILE = 'examples/coin-llava/Coinfile.ts'
const project = new TempProject()
cpSync(join(repoRoot, 'examples/coin-llava/Coinfile.ts'), project.path(COINFILE))
cpSync(join(repoRoot, 'datasets/templates'), project.path('datasets/templates'), { recursive: true })
cpSync(join(repoRoot, 'scripts'), project.path('scripts'), {
  recursive: true,
  filter: (src) => !src.includes('__pycache__') && !src.includes('/tests'),
})

function coin(...args: string[]) {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin/coin.js'), '-f', COINFILE, ...args], {
    cwd: project.dir,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', PYTHONDONTWRITEBYTECODE: '1' },
    timeout: 600_000,
  })
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
}

function build(...args: string[]) {
  const r = coin('build', '--json', '-j', '2', 'results/forgetting', '--set', 'model=tiny', ...args)
  const events = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as BuildEvent)
  const outcomes: Record<string, string> = {}
  for (const e of events) if (e.event === 'target') outcomes[e.id] = e.outcome
  const ran = Object.keys(outcomes)
    .filter((id) => outcomes[id] === 'ran')
    .sort()
  return { ...r, events, outcomes, ran }
}

test('tiny LLaVA: LoRA and MoELoRA sequences, predictions, scores and the report', () => {
  const r = build()
  assert.is(r.code, 0, r.stderr + r.stdout.slice(-2000))
  for (const m of ['lora', 'moelora'])
    for (const s of ['1-scienceqa', '2-textvqa', '3-imagenet'])
      assert.is(r.outcomes[`train/${m}/${s}`], 'ran')
  assert.is(r.outcomes['results/forgetting'], 'ran')
  const report = readFileSync(project.path('examples/coin-llava/results/forgetting.md'), 'utf8')
  assert.match(report, /moelora/)
  assert.ok(existsSync(project.path('examples/coin-llava/results/coin.duckdb')))
  // The trainers' progress lines arrived as progress events with step/total and the loss.
  const progress = r.events.filter(
    (e) => e.event === 'progress' && e.id === 'train/moelora/2-textvqa' && 'loss' in e,
  ) as Array<BuildEvent & { step?: number; total?: number }>
  assert.ok(progress.length >= 1, 'no progress events from train/moelora/2-textvqa')
  assert.is(progress.at(-1)?.step, progress.at(-1)?.total)
  // Stage 3's checkpoint carries the adapter, the projector and the step log.
  const stage = coin('path', 'train/lora/3-imagenet').stdout.trim()
  for (const f of ['adapter_model.safetensors', 'non_lora_trainables.safetensors', 'trainer_state.json'])
    assert.ok(existsSync(join(stage, f)), f)
})

test('a second build runs nothing', () => {
  const r = build()
  assert.is(r.code, 0, r.stderr)
  assert.equal(r.ran, [])
})

test('editing scripts/train.py makes exactly the train targets stale', () => {
  const trainPy = project.path('scripts/train.py')
  const original = readFileSync(trainPy, 'utf8')
  appendFileSync(trainPy, '\n# an edit\n')
  try {
    const r = coin('status', '--json', 'results/forgetting', '--set', 'model=tiny')
    const status = Object.fromEntries(
      r.stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { id?: string; outcome?: string })
        .filter((s) => s.id)
        .map((s) => [s.id, s.outcome]),
    )
    const mustRun = Object.keys(status).filter((id) => status[id] === 'run')
    assert.ok(mustRun.length > 0)
    assert.ok(
      mustRun.every((id) => id.startsWith('train/')),
      mustRun.join(' '),
    )
    for (const id of ['train/lora/1-scienceqa', 'train/moelora/1-scienceqa', 'train/multitask'])
      assert.is(status[id], 'run', id)
    for (const id of ['models/tiny', 'datasets/coin-mini-png', 'predict/zeroshot', 'prompts/imagenet'])
      assert.is(status[id], 'fresh', id)
  } finally {
    writeFileSync(trainPy, original)
  }
})

test("changing stage 3's lr reruns stage 3 and what follows only", () => {
  const r = build('--set', 'stages.imagenet.lr=0.001')
  assert.is(r.code, 0, r.stderr)
  const expected = ['lora', 'moelora'].flatMap((m) => [
    ...['scienceqa', 'textvqa', 'imagenet'].map((t) => `eval/${m}/3-imagenet/${t}`),
    `predict/${m}/3-imagenet`,
    `train/${m}/3-imagenet`,
  ])
  assert.equal(r.ran, [...expected, 'results/forgetting'].sort())
})

test('replay on the Python path: InsCL with LLM tags and hidden-state embeddings, a TG-SFT tree', () => {
  const r = coin(
    'build',
    '--json',
    '-j',
    '2',
    'replay/lora-inscl/3',
    'replay/lora-tg-sft/2',
    '--set',
    'model=tiny',
  )
  assert.is(r.code, 0, r.stderr + r.stdout.slice(-2000))
  const outcomes = Object.fromEntries(
    r.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as BuildEvent)
      .filter((e) => e.event === 'target')
      .map((e) => [(e as { id: string }).id, (e as { outcome: string }).outcome]),
  )
  for (const id of ['inscl/tags', 'inscl/embeddings', 'replay/lora-inscl/3', 'replay/lora-tg-sft/2'])
    assert.is(outcomes[id], 'ran', id)
  const json = <T>(id: string, file: string) =>
    JSON.parse(readFileSync(join(coin('path', id).stdout.trim(), file), 'utf8')) as T
  // coin's InsCL rule took the Python tagger's tags and the Python embeddings (every prompt has both).
  const buffer = json<{
    counts: Record<string, number>
    entries: { task: string; id: string }[]
    details: Record<string, unknown>
  }>('replay/lora-inscl/3', 'buffer.json')
  assert.is(buffer.details.tagger, 'file')
  assert.is(buffer.details.embeddings, 'file')
  assert.equal(Object.keys(buffer.counts), ['scienceqa', 'textvqa'])
  assert.is(buffer.entries.length, 2 * 4)
  for (const e of buffer.entries) {
    const ids = json<{ id: string }[]>(`prompts/${e.task}`, 'train.json').map((x) => String(x.id))
    assert.ok(ids.includes(String(e.id)), `${e.task} ${e.id}`)
  }
  const tags = json<Record<string, string[]>>('inscl/tags', 'tags.json')
  const prompts = ['scienceqa', 'textvqa', 'imagenet'].flatMap((t) =>
    json<{ conversations: { value: string }[] }[]>(`prompts/${t}`, 'train.json').map((x) =>
      x.conversations[0]!.value.replace('<image>\n', ''),
    ),
  )
  assert.equal(Object.keys(tags).sort(), [...new Set(prompts)].sort())
  // TG-SFT: text-only dialogues grown by stage 1's model, at most round(0.25 × 64) of them.
  const tree = json<{ kept: number; written: number; wanted: number }>('replay/lora-tg-sft/2', 'tree.json')
  const records = json<{ image?: string; conversations: unknown[] }[]>('replay/lora-tg-sft/2', 'train.json')
  assert.is(tree.wanted, 16)
  assert.is(records.length, Math.min(tree.kept, tree.wanted))
  assert.ok(records.every((x) => !x.image && x.conversations.length >= 2))
})

test('Ctrl-C mid-stage: the trainer saves to ctx.scratch (--resume-dir); the rebuild resumes there', async () => {
  const args = [
    '-f',
    COINFILE,
    'build',
    '--json',
    'train/lora/1-scienceqa',
    '--set',
    'model=tiny',
    '--set',
    'tiny.steps=200',
  ]
  const child = spawn(process.execPath, [join(repoRoot, 'bin/coin.js'), ...args], {
    cwd: project.dir,
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', PYTHONDONTWRITEBYTECODE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let seen = 0
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk
    for (const line of String(chunk).split('\n')) {
      if (!line.startsWith('{') || seen > 20) continue
      const e = JSON.parse(line) as BuildEvent
      // Past the first periodic save (every tenth: step 20), then Ctrl-C.
      if (e.event === 'progress' && typeof e.step === 'number' && 'loss' in e && e.step > 20) {
        seen = e.step
        child.kill('SIGINT')
      }
    }
  })
  const code = await new Promise<number>((r) => child.on('close', (c) => r(c ?? -1)))
  assert.is(code, 130, out.slice(-2000))
  assert.ok(seen > 20)

  const r = coin(...args.slice(2))
  assert.is(r.code, 0, r.stderr)
  const events = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as BuildEvent)
  const done = events.find((e) => e.event === 'target' && e.id === 'train/lora/1-scienceqa')
  assert.ok(done && done.event === 'target' && done.outcome === 'ran')
  const resumed = events.find((e) => e.event === 'progress' && typeof e.resumed === 'number')
  assert.ok(resumed && resumed.event === 'progress', 'a "resumed" progress event')
  // Saved at the step boundary after the signal, not only at the last periodic save.
  assert.ok(Number(resumed.resumed) >= seen && Number(resumed.resumed) < 200, `resumed at ${resumed.resumed}`)
  assert.match(coin('log', 'train/lora/1-scienceqa').stdout, `resumed at step ${resumed.resumed} of 200`)
  // The step log runs 1..200 without a gap or a repeat: the saved part came back with the state.
  const state = JSON.parse(
    readFileSync(join(coin('path', 'train/lora/1-scienceqa').stdout.trim(), 'trainer_state.json'), 'utf8'),
  ) as { log_history: { step: number }[] }
  assert.equal(
    state.log_history.map((e) => e.step),
    Array.from({ length: 200 }, (_, i) => i + 1),
  )
  assert.equal(readdirSync(project.path('examples/coin-llava/cache/scratch')), [])
})

test.after(() => project.remove())
test.run()
