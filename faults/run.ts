/**
 * The fault suite: `npm run faults` (full, writes faults/REPORT.md) or `npm run faults -- --quick`
 * (the CI subset, a report in the temp folder unless --report is given). Options: --seed N,
 * --only <family substring>, --report <path>. Exits 1 when any trial gave a wrong result, an
 * exit 70, or a write outside the project or cache.
 */
import { writeFileSync } from 'node:fs'
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

const FAMILIES: Family[] = [
  killCoin,
  killGroup,
  concurrentCold,
  concurrentRestore,
  corruption,
  locks,
  diskFull,
  badInputs,
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
  if (only && !family.name.includes(only)) continue
  const t0 = Date.now()
  log(`== ${family.name}: ${family.about}`)
  trials.push(...(await family.run(ctx)))
  timings[family.name] = Date.now() - t0
}
sandbox.remove()
const report = renderReport({
  trials,
  families: FAMILIES.filter((f) => !only || f.name.includes(only)),
  timings,
  seed,
  quick,
  command: `npm run faults${quick ? ' -- --quick' : ''}${arg('--seed') ? ` -- --seed ${seed}` : ''}`,
  machine: `${cpus().length} cores, node ${process.version}`,
  totalMs: Date.now() - started,
})
writeFileSync(reportPath, report)
const bad = trials.filter((t) => !t.verdict.ok)
log(`${trials.length} trials, ${bad.length} failed; report: ${reportPath}`)
process.exit(bad.length ? 1 : 0)
