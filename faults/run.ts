/**
 * The fault suite: `npm run faults` (full, writes faults/REPORT.md) or `npm run faults -- --quick`
 * (the CI subset, a report in the temp folder unless --report is given). Options: --seed N,
 * --only <family substrings, comma-separated>, --report <path>; --merge a.json,b.json renders one
 * report from the parts of families run in parallel processes. Exits 1 when any trial gave a wrong result, an
 * exit 70, or a write outside the project or cache.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { badInputs } from './bad-inputs.ts'
import { concurrentCold, concurrentRestore } from './concurrency.ts'
import { corruption } from './corruption.ts'
import { diskFull } from './disk-full.ts'
import type { Context, Family, Trial } from './family.ts'
import { repoRoot, rng, Sandbox } from './harness.ts'
import { killCoin, killGroup } from './kill.ts'
import { locks } from './locks.ts'
import { renderReport } from './report.ts'
import { slurm } from './slurm.ts'

const FAMILIES: Family[] = [
  killCoin,
  killGroup,
  concurrentCold,
  concurrentRestore,
  corruption,
  locks,
  diskFull,
  badInputs,
  slurm,
]

const arg = (name: string) => {
  const i = process.argv.indexOf(name)
  return i >= 0 ? process.argv[i + 1] : undefined
}
const quick = process.argv.includes('--quick')
const seed = Number(arg('--seed') ?? Date.now() % 100_000)
const only = arg('--only')
const reportPath =
  arg('--report') ?? (quick ? join(tmpdir(), 'coin-faults-REPORT.md') : join(repoRoot, 'faults', 'REPORT.md'))

const merge = arg('--merge')
if (merge) {
  // Families run in parallel processes (`--only a,b --report x.md`): one report from their JSONs.
  const parts = merge.split(',').map((f) => JSON.parse(readFileSync(f, 'utf8')) as Part)
  const report = renderReport({
    trials: parts.flatMap((p) => p.trials),
    families: FAMILIES.filter((f) => parts.some((p) => p.families.includes(f.name))),
    timings: Object.assign({}, ...parts.map((p) => p.timings)),
    seed: parts[0]!.seed,
    quick: false,
    command: parts.map((p) => p.command).join(' & '),
    machine: parts[0]!.machine,
    totalMs: Math.max(...parts.map((p) => p.totalMs)),
  })
  writeFileSync(reportPath, report)
  process.exit(parts.some((p) => p.trials.some((t) => !t.verdict.ok)) ? 1 : 0)
}

interface Part {
  trials: Trial[]
  families: string[]
  timings: Record<string, number>
  seed: number
  command: string
  machine: string
  totalMs: number
}

const started = Date.now()
const log = (line: string) =>
  process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(0)}s] ${line}\n`)
const sandbox = new Sandbox()
log(`fault suite (${quick ? 'quick' : 'full'}), seed ${seed}, sandbox ${sandbox.root}`)
const first = await sandbox.coin(['build'])
if (first.code !== 0) {
  process.stderr.write(`the fault project does not build:\n${first.stderr}\n`)
  process.exit(1)
}
const reference = sandbox.results()
const ctx: Context = { sandbox, reference, random: rng(seed), quick, log }
const trials: Trial[] = []
const timings: Record<string, number> = {}
for (const family of FAMILIES) {
  if (only && !only.split(',').some((o) => family.name.includes(o))) continue
  const t0 = Date.now()
  log(`== ${family.name}: ${family.about}`)
  trials.push(...(await family.run(ctx)))
  timings[family.name] = Date.now() - t0
}
sandbox.remove()
const part: Part = {
  trials,
  families: FAMILIES.filter((f) => !only || only.split(',').some((o) => f.name.includes(o))).map(
    (f) => f.name,
  ),
  timings,
  seed,
  command: `npm run faults --${quick ? ' --quick' : ''} --seed ${seed}${only ? ` --only '${only}'` : ''}`,
  machine: `${cpus().length} cores, node ${process.version}`,
  totalMs: Date.now() - started,
}
const report = renderReport({
  ...part,
  families: FAMILIES.filter((f) => part.families.includes(f.name)),
  quick,
})
writeFileSync(reportPath, report)
writeFileSync(`${reportPath}.json`, JSON.stringify(part))
const bad = trials.filter((t) => !t.verdict.ok)
log(`${trials.length} trials, ${bad.length} failed; report: ${reportPath}`)
process.exit(bad.length ? 1 : 0)
