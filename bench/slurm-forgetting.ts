/**
 * The main job on a real Slurm, in full: `coin build results/forgetting` with the local executor
 * and with `--executor slurm` (every target, data preparation included) from empty caches, compared
 * target by target (keys), file by file (every checkpoint, prediction and score, byte for byte) and
 * row by row (the DuckDB scores table and metrics view); then a second Slurm build, which must be
 * all fresh with zero sbatch submissions. test/slurm/forgetting.test.ts is the one-task CI version.
 * Usage: npx tsx bench/slurm-forgetting.ts [--tasks scienceqa,textvqa] [--steps 20]
 *   (writes bench/out/slurm-forgetting.json; exit 1 when anything differs)
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { compareForgetting } from '../test/slurm/forgetting.ts'

const repo = fileURLToPath(new URL('..', import.meta.url))
const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: 'scienceqa,textvqa' },
    steps: { type: 'string', default: '20' },
  },
})
if (spawnSync('bash', [join(repo, '.ci/slurm-up.sh')], { stdio: 'inherit' }).status !== 0) {
  console.error('bench/slurm-forgetting: no Slurm here (.ci/slurm-up.sh failed)')
  process.exit(1)
}
const tasks = values.tasks.split(',')
const r = await compareForgetting({ tasks, steps: Number(values.steps) })
const report = { tasks, steps: Number(values.steps), ...r, at: new Date().toISOString() }
mkdirSync(join(repo, 'bench/out'), { recursive: true })
writeFileSync(join(repo, 'bench/out/slurm-forgetting.json'), `${JSON.stringify(report, null, 2)}\n`)
console.log(JSON.stringify(report, null, 2))
const ok =
  r.mismatches.length === 0 &&
  r.slurmJobs === r.keys &&
  r.ranOrRestored === r.targets &&
  r.sbatchCallsSecondBuild === 0
process.exit(ok ? 0 : 1)
