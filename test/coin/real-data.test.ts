/**
 * The default Coinfile on a CoIN-layout folder it was not written for: a two-task release builds
 * with `--set tasks=...` and no edit; a missing task folder, an unknown task and missing images are
 * diagnostics that name what is expected.
 */
import { cpSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { repoRoot, TempProject } from '../helpers/project.ts'

const TINY = [
  'data.train=30',
  'data.test=10',
  'base.steps=10',
  'multitask.steps=10',
  'stages.scienceqa.steps=5',
  'stages.gqa.steps=5',
].flatMap((s) => ['--set', s])

/** A project with the default Coinfile and, in release/, a CoIN-layout folder of two tasks. */
function project(): TempProject {
  const p = new TempProject({ 'Coinfile.ts': readFileSync(join(repoRoot, 'Coinfile.ts'), 'utf8') })
  cpSync(join(repoRoot, 'datasets/templates'), p.path('datasets/templates'), { recursive: true })
  const gen = p.build('datasets/coin-mini', ...TINY)
  assert.is(gen.code, 0, gen.stderr)
  cpSync(p.coin('path', 'datasets/coin-mini').stdout.trim(), p.path('release'), { recursive: true })
  for (const name of readdirSync(p.path('release')))
    if (!['ScienceQA', 'GQA', 'images'].includes(name)) rmSync(p.path(`release/${name}`), { recursive: true })
  return p
}

test('a two-task release builds the main job with --set tasks and data.source, no edit', () => {
  const p = project()
  const r = p.build(
    'results/forgetting',
    ...TINY,
    '--set',
    'data.source=release',
    '--set',
    'tasks=scienceqa,gqa',
  )
  assert.is(r.code, 0, r.stderr)
  const trained = Object.keys(r.outcomes).filter((id) => id.startsWith('train/lora/'))
  assert.equal(trained.sort(), ['train/lora/1-scienceqa', 'train/lora/2-gqa'])
  assert.ok('train/lora-alphabet/1-gqa' in r.outcomes, 'the alphabet order follows the task list')
  assert.match(p.read('results/forgetting.md'), 'gqa')

  // A task the folder lacks: exit 2 before anything runs, naming the folder expected.
  const missing = p.coin(
    'status',
    ...TINY,
    '--set',
    'data.source=release',
    '--set',
    'tasks=scienceqa,textvqa',
  )
  assert.is(missing.code, 2)
  assert.match(
    missing.stderr,
    `data.source has no folder for task textvqa: expected ${p.path('release/TextVQA')}/`,
  )
  const typo = p.coin('list', '--set', 'tasks=scienceqa,gqq')
  assert.is(typo.code, 2)
  assert.match(typo.stderr, 'unknown task "gqq" in tasks. Did you mean "gqa"?')

  // The records' images are gone: the failing target names the file, not a raw ENOENT.
  rmSync(p.path('release/images'), { recursive: true })
  const noImages = p.coin(
    'build',
    'datasets/gqa',
    ...TINY,
    '--set',
    'data.source=release',
    '--set',
    'tasks=scienceqa,gqa',
    '--set',
    'seed=1',
  )
  assert.is(noImages.code, 2, 'a data error is bad input')
  assert.match(`${noImages.stdout}${noImages.stderr}`, /task gqa: image images\/\S+ is missing/)
  assert.not.match(`${noImages.stdout}${noImages.stderr}`, 'ENOENT')
  p.remove()
})

test.run()
