/**
 * The default Coinfile (small sizes) on Slurm: a stage's checkpoints, predictions and scores are
 * byte-identical to a local build from an empty cache, and a second build submits nothing. To keep
 * CI short this builds the closure of one evaluation (33 targets) and keeps data preparation
 * local, so the base model, both LoRA stages, their predictions and scores run on Slurm.
 */
import { cpSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { repoRoot, TempProject } from '../helpers/project.ts'
import { build, jobsOf, slurmAvailable } from './cluster.ts'

const SMALL = [
  'data.train=60',
  'data.test=20',
  'base.steps=40',
  'multitask.steps=40',
  ...['scienceqa', 'textvqa', 'imagenet', 'gqa', 'vizwiz', 'grounding', 'vqav2', 'ocrvqa'].map(
    (t) => `stages.${t}.steps=20`,
  ),
].flatMap((s) => ['--set', s])
const SELECTION = 'eval/lora/2-textvqa/**'
const ON_SLURM = [
  '--executor',
  'slurm',
  '--slurm-poll',
  '250',
  '--local',
  'datasets/**',
  '--local',
  'prompts/**',
]

function project(): TempProject {
  const p = new TempProject({ 'Coinfile.ts': readFileSync(join(repoRoot, 'Coinfile.ts'), 'utf8') })
  cpSync(join(repoRoot, 'datasets/templates'), p.path('datasets/templates'), { recursive: true })
  return p
}

/** Every materialised output file (cache/out/<id>.out/...) → its bytes. */
function outputs(p: TempProject): Map<string, Buffer> {
  const root = p.path('cache/out')
  const files = new Map<string, Buffer>()
  for (const f of readdirSync(root, { recursive: true }).map(String))
    if (/\.out\/./.test(f) && statSync(join(root, f)).isFile()) files.set(f, readFileSync(join(root, f)))
  return files
}

if (slurmAvailable()) {
  test('default Coinfile: checkpoints, predictions and scores on Slurm equal the local ones', () => {
    const local = project()
    const remote = project()
    const a = build(local, SELECTION, ...SMALL)
    assert.is(a.code, 0, a.stderr)
    // Data preparation stays local (`--local`, as a user would keep cheap targets off the cluster);
    // the base model, both LoRA stages, their predictions and scores run on Slurm.
    const b = build(remote, SELECTION, ...SMALL, ...ON_SLURM)
    const failed = b.events.filter((e) => e.event === 'target' && e.outcome === 'failed')
    assert.is(b.code, 0, `${b.stderr}${JSON.stringify(failed)}`)
    assert.ok(Object.values(b.outcomes).every((o) => o === 'ran'))
    const onSlurm = jobsOf(remote.path('cache')).size
    assert.is(onSlurm, Object.keys(b.outcomes).filter((id) => !/^(datasets|prompts)\//.test(id)).length)
    assert.is(onSlurm, 7)
    assert.equal(Object.keys(b.outcomes).sort(), Object.keys(a.outcomes).sort())
    const keys = (events: typeof a.events) =>
      Object.fromEntries(events.flatMap((e) => (e.event === 'target' ? [[e.id, e.key]] : [])))
    assert.equal(keys(b.events), keys(a.events))
    const mine = outputs(local)
    const theirs = outputs(remote)
    assert.equal([...theirs.keys()].sort(), [...mine.keys()].sort())
    assert.ok([...mine.keys()].some((f) => f.startsWith('train/lora/2-textvqa.out/weights')))
    for (const [f, bytes] of mine) assert.ok(bytes.equals(theirs.get(f)!), `${f} differs`)

    const again = build(remote, SELECTION, ...SMALL, ...ON_SLURM)
    assert.is(again.code, 0, again.stderr)
    assert.ok(Object.values(again.outcomes).every((o) => o === 'fresh'))
    assert.is(jobsOf(remote.path('cache')).size, onSlurm)
    local.remove()
    remote.remove()
  })
}

test.run()
