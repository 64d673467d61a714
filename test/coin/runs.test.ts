/**
 * Runs are kept: two builds with different --set values record two runs in results/coin.duckdb;
 * `coin show` lists both with the differing param, `coin diff` names exactly that param and the
 * metric deltas, the first run's rows stay, timings and hosts come from the action records, and
 * a build that changes nothing records nothing.
 */
import { execFileSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { hostname } from 'node:os'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { diffCommand, diffRuns } from '../../src/cli/commands/diff.ts'
import { showCommand } from '../../src/cli/commands/show.ts'
import { queryResults } from '../../src/results/index.ts'
import { TempProject } from '../helpers/project.ts'
import { COINFILE, files, pred } from './predictions-fixture.ts'

// Another set of predictions: after stage 2, scienceqa is fully right and vqav2 half right.
const ALT = {
  'alt/1-scienceqa/scienceqa/merge.jsonl': `${pred('q1', 'A')}\n${pred('q2', 'B')}\n`,
  'alt/2-vqav2/scienceqa/merge.jsonl': `${pred('q1', 'A')}\n${pred('q2', 'B')}\n`,
  'alt/2-vqav2/vqav2/merge.jsonl': `${pred(1, '3')}\n${pred(2, 'yes')}\n`,
}
for (const p of Object.keys(ALT))
  (ALT as Record<string, string>)[p.replace('merge.jsonl', 'meta.json')] = JSON.stringify({
    checkpoint: `alt-${p}`,
  })

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-C', dir, ...args], {
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@t',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@t',
    },
  }).trim()
}

test('two --set builds: both runs kept, shown side by side, diffed by exactly the changed param', async () => {
  const p = new TempProject({
    'Coinfile.ts': COINFILE,
    ...files,
    ...ALT,
    '.gitignore': 'cache/\nresults/\nnode_modules/\n',
  })
  git(p.dir, 'init', '-q')
  git(p.dir, 'add', '-A')
  git(p.dir, 'commit', '-qm', 'fixture')
  const head = git(p.dir, 'rev-parse', 'HEAD')
  const db = p.path('results/coin.duckdb')

  const first = p.coin('build', 'results/forgetting')
  assert.is(first.code, 0, first.stderr)
  assert.match(first.stdout, /recorded run r1 \(3 scores, 3 new\)/)
  const second = p.coin('build', 'results/forgetting', '--set', 'preds="alt"')
  assert.is(second.code, 0, second.stderr)
  assert.match(second.stdout, /recorded run r2/)

  // The runs table: provenance of each build.
  const runs = await queryResults(
    db,
    'SELECT run_id, git_rev, git_dirty, coinfile, overrides, host, params FROM runs ORDER BY seq',
  )
  assert.equal(runs, [
    {
      run_id: 'r1',
      git_rev: head,
      git_dirty: false,
      coinfile: 'Coinfile.ts',
      overrides: [],
      host: hostname(),
      params: '{"preds":"preds"}',
    },
    {
      run_id: 'r2',
      git_rev: head,
      git_dirty: false,
      coinfile: 'Coinfile.ts',
      overrides: ['preds="alt"'],
      host: hostname(),
      params: '{"preds":"alt"}',
    },
  ])
  // The first run's rows are still there, next to the second's.
  assert.equal(
    await queryResults(
      db,
      'SELECT run_id, stage, eval_task, value, parse_failures FROM run_scores ORDER BY ALL',
    ),
    [
      { run_id: 'r1', stage: 1, eval_task: 'scienceqa', value: 100, parse_failures: 0 },
      { run_id: 'r1', stage: 2, eval_task: 'scienceqa', value: 50, parse_failures: 1 },
      { run_id: 'r1', stage: 2, eval_task: 'vqav2', value: 100, parse_failures: 0 },
      { run_id: 'r2', stage: 1, eval_task: 'scienceqa', value: 100, parse_failures: 0 },
      { run_id: 'r2', stage: 2, eval_task: 'scienceqa', value: 100, parse_failures: 0 },
      { run_id: 'r2', stage: 2, eval_task: 'vqav2', value: 50, parse_failures: 0 },
    ],
  )
  // Timings and hosts of every target of each run come from the action records.
  const timings = await queryResults(
    db,
    `SELECT run_id, count(*) AS targets, count(duration_ms) AS timed, count(started_at) AS started,
            count(*) FILTER (host = '${hostname()}') AS on_host
     FROM run_timings GROUP BY run_id ORDER BY run_id`,
  )
  assert.equal(timings, [
    { run_id: 'r1', targets: 4, timed: 4, started: 4, on_host: 4 },
    { run_id: 'r2', targets: 4, timed: 4, started: 4, on_host: 4 },
  ])

  // coin show: both runs, the differing param, both metric sets.
  const shown = (await showCommand({ db, json: true }))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line))
  assert.equal(
    shown.map((r) => [r.run, r.experiment, r.params, r.acc, r.bwt, r.forgetting]),
    [
      ['r1', 'lora', { preds: 'preds' }, 75, -50, 50],
      ['r2', 'lora', { preds: 'alt' }, 75, 0, 0],
    ],
  )
  const table = p.coin('show')
  assert.is(table.code, 0, table.stderr)
  assert.match(
    table.stdout,
    /run\s+experiment\s+kind\s+preds\s+acc\s+bwt\s+forgetting\s+fwt\s+maa\s+relative_gain/,
  )
  assert.match(table.stdout, /r2\s+lora\s+sequential\s+alt\s+75\.00\s+0\.00\s+0\.00/)
  // One row left: no param differs between the rows shown, unless every param is asked for.
  assert.equal(
    await showCommand({ db, where: ['preds = alt'], csv: true }),
    'run,experiment,method,kind,acc,bwt,forgetting,fwt,maa,relative_gain\nr2,lora,lora,sequential,75,0,0,,87.5,100\n',
  )
  assert.equal(
    await showCommand({ db, where: ['preds = alt'], csv: true, allParams: true }),
    'run,experiment,method,kind,preds,acc,bwt,forgetting,fwt,maa,relative_gain\nr2,lora,lora,sequential,alt,75,0,0,,87.5,100\n',
  )
  assert.match(await showCommand({ db, sort: '-bwt', where: ['acc >= 75'] }), /^run.*\n-.*\nr2 .*\nr1 /)

  // coin diff (the last two runs): exactly that param, and the deltas.
  const diff = await diffRuns(undefined, undefined, { db, root: p.dir })
  assert.equal(diff.params, [{ param: 'preds', a: 'preds', b: 'alt' }])
  assert.equal(
    diff.metrics.filter((m) => m.delta !== 0).map((m) => [m.metric, m.a, m.b, m.delta]),
    [
      ['bwt', -50, 0, 50],
      ['forgetting', 50, 0, -50],
      ['relative_gain', 75, 100, 25],
    ],
  )
  const text = await diffCommand('r1', '2', { db, root: p.dir })
  assert.match(text, /preds\s+preds\s+alt/)
  assert.match(text, /lora\s+bwt\s+-50\.00\s+0\.00\s+\+50\.00/)

  // A build that changes nothing records nothing; going back restores and records run r3,
  // which shares r1's score rows instead of copying them.
  const noop = p.coin('build', 'results/forgetting', '--set', 'preds="alt"')
  assert.not.match(noop.stdout, /recorded run/)
  p.write({ 'Coinfile.ts': `${COINFILE}\n// edited\n` })
  const back = p.coin('build', 'results/forgetting')
  assert.match(back.stdout, /recorded run r3 \(3 scores, 0 new\)/, back.stdout + back.stderr)
  assert.equal(await queryResults(db, 'SELECT count(*) AS n FROM score_values'), [{ n: 6 }])
  assert.equal(
    await queryResults(
      db,
      "SELECT count(*) FILTER (outcome = 'ran') AS ran FROM run_timings WHERE run_id = 'r3'",
    ),
    [{ ran: 0 }],
  )
  assert.equal(await queryResults(db, "SELECT git_dirty FROM runs WHERE run_id = 'r3'"), [
    { git_dirty: true },
  ])
  // The workspace's latest run against the last run at a git revision.
  const vsHead = await diffRuns('HEAD', undefined, { db, root: p.dir })
  assert.equal(
    [vsHead.a.run_id, vsHead.b.run_id, vsHead.params],
    ['r2', 'r3', [{ param: 'preds', a: 'alt', b: 'preds' }]],
  )

  // The published report names the run and its params.
  const md = p.read('results/forgetting.md')
  assert.match(
    md,
    /^run r3, .*git [0-9a-f]{10} \(uncommitted changes\), Coinfile\.ts \(digest [0-9a-f]{12}\)/m,
  )
  assert.match(md, /Overrides: none \(the Coinfile's defaults\)\./)
  assert.match(md, /\| preds \| preds \|/)
  assert.match(md, /\| 2 · vqav2 \| 50\.00 \[1\/2 unparsable\] \| 100\.00 \|/)
  p.remove()
})

test('show and diff: an unknown field, a filter that cannot be read, a run that does not exist', async () => {
  const p = new TempProject({ 'Coinfile.ts': COINFILE, ...files })
  assert.is(p.coin('build', 'results/forgetting').code, 0)
  const db = p.path('results/coin.duckdb')
  const bad = [
    ['show', '--where', 'nope = 1', /unknown field 'nope'/],
    ['show', '--where', 'acc', /cannot read the filter/],
    ['show', '--sort', 'nope', /unknown field 'nope' in --sort/],
    ['diff', /holds 1 run\(s\); a diff needs two/],
    ['diff', 'r9', /'r9' is neither a run id nor a git revision/],
  ] as const
  for (const c of bad) {
    const args = c.slice(0, -1) as string[]
    const r = p.coin(...args)
    assert.is(r.code, 2, args.join(' '))
    assert.match(r.stderr, c[c.length - 1] as RegExp)
  }
  assert.match(await showCommand({ db, where: ['method = none'] }), /no row matches/)
  // A deleted database comes back from the cache when the results target is named (nothing reruns).
  rmSync(db)
  const again = p.coin('build', 'results/forgetting')
  assert.match(again.stdout, /recorded run r1 \(3 scores, 3 new\)/)
  assert.not.match(p.coin('build').stdout, /recorded run/, 'an unnamed no-op build records nothing')
  p.remove()
})

test.run()
