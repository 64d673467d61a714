/**
 * The main job on Slurm: `coin build results/forgetting --executor slurm` (the default Coinfile,
 * one task and small sizes, to keep CI short) gives the same keys, byte-identical checkpoints,
 * predictions and score files, and the same DuckDB scores table as the local executor, from empty
 * caches; a second build is all fresh and calls sbatch zero times. To keep CI near a minute (each
 * job costs ~2 s of CPU to start coin on the node's two CPUs), the cheap targets stay local, as a
 * user would keep them: data preparation (datasets/**, prompts/**) and scoring (eval/**); training,
 * predictions and the report run on Slurm. With one task there is one training stage per sequence.
 * bench/slurm-forgetting.ts runs the same comparison with two tasks and every target on Slurm.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { slurmAvailable } from './cluster.ts'
import { compareForgetting } from './forgetting.ts'

if (slurmAvailable()) {
  test('results/forgetting on Slurm equals the local build; a second build submits nothing', async () => {
    const r = await compareForgetting({
      tasks: ['scienceqa'],
      steps: 10,
      local: ['datasets/**', 'prompts/**', 'eval/**'],
    })
    console.log(`  ${JSON.stringify({ ...r, mismatches: r.mismatches.length })}`)
    assert.equal(r.mismatches, [])
    // One Slurm job per key (targets with equal keys, lora and lora-alphabet with one task...,
    // share it, as a local build restores them from the first one's record), except the local ones.
    assert.is(r.slurmJobs, r.keys - r.localKeys, `${r.slurmJobs} Slurm jobs for ${r.keys} keys`)
    assert.ok(r.slurmJobs >= 10)
    assert.is(r.ranOrRestored, r.targets)
    assert.ok(r.checkpoints >= 10, `${r.checkpoints} checkpoints compared`)
    assert.ok(r.scoreRows > 0)
    assert.ok(r.sbatchCalls > 0)
    assert.is(r.sbatchCallsSecondBuild, 0)
  })
}

test.run()
