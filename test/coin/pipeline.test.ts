/**
 * The default Coinfile end to end, on a small configuration: every method trains, the matrix is
 * ingested into DuckDB and rendered; a late-stage change reruns only that stage onwards; a revert
 * restores; two builds from empty caches give byte-identical checkpoints and scores.
 */
import { cpSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { queryResults } from '../../src/results/index.ts'
import { repoRoot, TempProject } from '../helpers/project.ts'

// Small but complete: 8 tasks, 4 sequences, zero-shot and multitask rows.
const SMALL = [
  '--set',
  'data.train=60',
  '--set',
  'data.test=20',
  '--set',
  'base.steps=40',
  '--set',
  'multitask.steps=40',
  ...['scienceqa', 'textvqa', 'imagenet', 'gqa', 'vizwiz', 'grounding', 'vqav2', 'ocrvqa'].flatMap((t) => [
    '--set',
    `stages.${t}.steps=20`,
  ]),
]

function project(): TempProject {
  const p = new TempProject({ 'Coinfile.ts': readFileSync(join(repoRoot, 'Coinfile.ts'), 'utf8') })
  cpSync(join(repoRoot, 'datasets/templates'), p.path('datasets/templates'), { recursive: true })
  return p
}

const scoresOf = (db: string) =>
  queryResults(db, 'select experiment, stage, stage_task, eval_task, value, n from scores order by all')

test('main job: builds results/forgetting, then a no-op, then a late-stage change and a revert', async () => {
  const p = project()
  const first = p.build('results/forgetting', ...SMALL)
  assert.is(first.code, 0, first.stderr)
  // Everything runs, except that stage 1 of the replay sequences and of lora are one target (same
  // inputs, same key): built once, restored under the other ids (whichever id got there first).
  const notRan = Object.entries(first.outcomes).filter(([, o]) => o !== 'ran')
  assert.ok(
    notRan.every(
      ([id, o]) => o === 'restored' && /^(train|predict|eval)\/lora(-random|-inscl|-tg-sft)?\/1-/.test(id),
    ),
    notRan.join(' '),
  )
  const md = p.read('results/forgetting.md')
  // One multitask bound per method, each trained with that method (CoIN's Multitask is LoRA);
  // and the replay experiments (LoRA with random / InsCL / TG-SFT rehearsal).
  const experiments = [
    'full',
    'lora',
    'moelora',
    'lora-alphabet',
    'lora-random',
    'lora-inscl',
    'lora-tg-sft',
    'zeroshot',
  ]
  for (const e of [...experiments, 'multitask-full', 'multitask-lora', 'multitask-moelora'])
    assert.match(md, `## ${e}`)
  const metrics = await queryResults(
    p.path('results/coin.duckdb'),
    'select experiment, method, kind, acc, bwt from metrics',
  )
  assert.is(metrics.length, 11)
  assert.equal(
    metrics
      .filter((m) => m.kind === 'multitask')
      .map((m) => m.method)
      .sort(),
    ['full', 'lora', 'moelora'],
  )
  // The base (zero-shot row) is pre-trained on the alignment task only, never on a task's prompts.
  const log = p.coin('log', 'train/base').stdout
  assert.match(log, /pre-training on \d+ examples from 1 tasks/)
  assert.ok(metrics.every((m) => typeof m.acc === 'number'))

  const again = p.build('results/forgetting', ...SMALL)
  assert.ok(Object.values(again.outcomes).every((o) => o === 'fresh'))

  const why = p.coin(
    'why',
    'train/lora/7-vqav2',
    'train/lora/8-ocrvqa',
    'train/lora/6-grounding',
    ...SMALL,
    '--set',
    'stages.vqav2.lr=0.001',
  )
  assert.match(why.stdout, 'train/lora/7-vqav2 would run: param lr changed 0.01 → 0.001')
  assert.match(
    why.stdout,
    'train/lora/8-ocrvqa would run after upstream: upstream train/lora/7-vqav2 will run',
  )
  assert.match(why.stdout, 'train/lora/6-grounding fresh')

  // Stage 7 (vqav2) of the CoIN order: reruns stages 7-8 of the CoIN-order sequences (replay ones
  // included; TG-SFT's stage 8 buffer too, as stage 7's model writes it), and alphabet's stage 8.
  const changed = p.build('results/forgetting', ...SMALL, '--set', 'stages.vqav2.lr=0.001')
  const rerun = Object.entries(changed.outcomes)
    .filter(([, o]) => o === 'ran')
    .map(([id]) => id)
  const trained = rerun.filter((id) => id.startsWith('train/')).sort()
  assert.equal(trained, [
    'train/full/7-vqav2',
    'train/full/8-ocrvqa',
    'train/lora-alphabet/8-vqav2',
    'train/lora-inscl/7-vqav2',
    'train/lora-inscl/8-ocrvqa',
    'train/lora-random/7-vqav2',
    'train/lora-random/8-ocrvqa',
    'train/lora-tg-sft/7-vqav2',
    'train/lora-tg-sft/8-ocrvqa',
    'train/lora/7-vqav2',
    'train/lora/8-ocrvqa',
    'train/moelora/7-vqav2',
    'train/moelora/8-ocrvqa',
  ])
  assert.is(changed.outcomes['train/lora/6-grounding'], 'fresh')
  assert.is(changed.outcomes['train/base'], 'fresh')
  assert.ok(rerun.includes('results/forgetting'))
  assert.ok(
    rerun.every((id) =>
      /^(train|predict|eval)\/[^/]+\/[78]-|^replay\/lora-tg-sft\/8$|^results\/forgetting$/.test(id),
    ),
    rerun.join(' '),
  )
  // Training curves of both learner runs of stage 7 are kept, each under its own key.
  const db = p.path('results/coin.duckdb')
  const curves = await queryResults(
    db,
    `SELECT t.run_id, l.step, l.lr, l.loss > 0 AS positive FROM train_log AS l
     JOIN run_targets AS t USING (key) WHERE t.target = 'train/lora/7-vqav2' ORDER BY ALL`,
  )
  assert.equal(curves, [
    { run_id: 'r1', step: 20, lr: 0.01, positive: true },
    { run_id: 'r2', step: 20, lr: 0.001, positive: true },
  ])
  const diff = p.coin('diff', '--json')
  assert.equal(JSON.parse(diff.stdout).params, [{ param: 'stages.vqav2.lr', a: 0.01, b: 0.001 }])
  const reverted = p.build('results/forgetting', ...SMALL)
  assert.not.ok(Object.values(reverted.outcomes).includes('ran'))
  assert.is(reverted.outcomes['train/lora/7-vqav2'], 'restored')
  assert.equal(await queryResults(db, 'SELECT run_id FROM runs ORDER BY seq'), [
    { run_id: 'r1' },
    { run_id: 'r2' },
    { run_id: 'r3' },
  ])
  assert.match(p.read('results/forgetting.html'), /<select id="run">/)
  p.remove()
})

test('same seed and threads from an empty cache: byte-identical checkpoints and identical scores', async () => {
  const a = project()
  const b = project()
  const ra = a.build('results/forgetting', ...SMALL)
  assert.is(ra.code, 0, ra.stderr)
  const rb = b.build('results/forgetting', ...SMALL, '-j', '1')
  assert.is(rb.code, 0, rb.stderr)
  for (const id of ['train/base', 'train/lora/8-ocrvqa', 'train/moelora/8-ocrvqa', 'train/full/8-ocrvqa']) {
    const wa = readFileSync(join(a.coin('path', id).stdout.trim(), 'weights.bin'))
    const wb = readFileSync(join(b.coin('path', id).stdout.trim(), 'weights.bin'))
    assert.ok(wa.equals(wb), `${id} weights differ`)
  }
  assert.equal(await scoresOf(a.path('results/coin.duckdb')), await scoresOf(b.path('results/coin.duckdb')))
  a.remove()
  b.remove()
})

test.run()
