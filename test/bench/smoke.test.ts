/**
 * Keeps the benchmark harness from rotting: runs `bench/run.ts --smoke` (the same entry point as
 * `npm run bench`) into a temp directory and checks the raw results. Snakemake is left out (CI has
 * none, and it would double the time); Make is used when present.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Results, Run } from '../../bench/lib/types.ts'
import { repoRoot } from '../helpers/project.ts'
import { tempDir } from '../helpers/temp.ts'

test('the smoke benchmark runs every workload and coin gets the answers right', () => {
  const dir = tempDir('coin-bench-smoke-')
  try {
    const t0 = Date.now()
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'bench/run.ts',
        '--smoke',
        '--peers',
        'make',
        '--out',
        join(dir, 'out'),
        '--work',
        join(dir, 'work'),
      ],
      { cwd: repoRoot, encoding: 'utf8', timeout: 110_000, env: { ...process.env, NO_COLOR: '1' } },
    )
    assert.is(r.status, 0, `bench exited ${r.status}:\n${r.stderr.slice(-3000)}`)
    assert.ok(Date.now() - t0 < 110_000)
    const res = JSON.parse(readFileSync(join(dir, 'out', 'results.json'), 'utf8')) as Results
    assert.ok(existsSync(join(dir, 'out', 'RESULTS.md')))
    assert.match(readFileSync(join(dir, 'out', 'RESULTS.md'), 'utf8'), '## Goals')
    for (const w of ['noop', 'full', 'hashing', 'incremental', 'memory'] as const)
      assert.ok(res.workloads.includes(w), `workload ${w} missing from ${res.workloads.join(',')}`)
    assert.equal(
      res.runs.filter((x) => x.error).map((x) => x.error),
      [],
    )

    const ok = (x: Run) => Number.isFinite(x.wallMs) && x.wallMs > 0 && x.code === 0
    const coin = (w: Run['workload'], tool = 'coin-shell') =>
      res.runs.filter((x) => x.workload === w && x.tool === tool)

    // Full build: every target ran, with numeric timings.
    for (const tool of ['coin-shell', 'coin-inproc']) {
      const full = coin('full', tool)
      assert.ok(full.length > 0, `no full-build run for ${tool}`)
      for (const x of full) {
        assert.ok(ok(x), `full ${tool}: ${JSON.stringify(x)}`)
        assert.is(x.counts?.ran, x.size)
      }
    }

    // No-op: coin reported every target fresh.
    const noop = coin('noop')
    assert.ok(noop.length > 0)
    for (const x of noop) {
      assert.ok(ok(x))
      assert.is(x.counts?.fresh, x.size, `no-op counts ${JSON.stringify(x.counts)} for ${x.size} targets`)
      assert.is(x.counts?.ran, 0)
      assert.type(x.engineMs, 'number')
    }

    // Incremental: exactly the affected targets reran.
    for (const x of coin('incremental')) {
      assert.ok(ok(x))
      assert.ok(x.exact, `incremental reran ${x.rerun} of ${x.expected}`)
      assert.is(x.rerun, x.expected)
    }

    // Hashing: cold and warm cases measured; the warm no-op read none of the input.
    const hashing = coin('hashing', 'coin')
    for (const c of ['file-cold', 'dir-cold', 'file-warm', 'dir-warm', 'none-warm'])
      assert.ok(
        hashing.some((x) => x.case === c && ok(x) && x.counts?.fresh === 1),
        `hashing case ${c}`,
      )
    if (process.platform === 'linux') {
      const rchar = (c: string) => hashing.find((x) => x.case === c)?.io?.rchar
      assert.type(rchar('file-warm'), 'number')
      assert.ok(rchar('file-cold')! - rchar('none-warm')! >= 16 << 20, 'a cold run reads the whole file')
      assert.ok(rchar('file-warm')! - rchar('none-warm')! < 64 << 10, 'a warm run reads none of it')
    }

    // Memory: peak RSS recorded when GNU time is there.
    if (res.meta.tools.time?.path) assert.type(noop[0]?.maxRssKB, 'number')

    // Make, when installed, ran on the same DAG and agreed on the incremental count.
    if (res.meta.tools.make?.path) {
      const make = res.runs.filter((x) => x.tool === 'make' && x.workload === 'incremental')
      assert.ok(make.length > 0)
      for (const x of make) assert.is(x.rerun, x.expected)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
