/**
 * Start-up time of the CLI: `coin --help` and `coin --version` against a bare `node -e 0` in the
 * same run, alternating, so machine load hits every command alike. With `--baseline DIR` it also
 * times another checkout's bin/coin.js (e.g. a worktree of an older commit). Wall time from the
 * harness; CPU time (user + sys) from GNU time, which suffers less when other work shares the machine.
 *
 *   npx tsx bench/startup.ts [--reps 30] [--baseline /tmp/coin-before]
 */
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { repoRoot } from './lib/coin.ts'

const argv = process.argv.slice(2)
const flag = (name: string) => {
  const i = argv.indexOf(name)
  return i >= 0 ? argv[i + 1] : undefined
}
const reps = Number(flag('--reps') ?? 30)
const baseline = flag('--baseline')

const cases: { name: string; args: string[] }[] = [
  { name: 'node -e 0 (floor)', args: ['-e', '0'] },
  { name: 'coin --help', args: [join(repoRoot, 'bin', 'coin.js'), '--help'] },
  { name: 'coin --version', args: [join(repoRoot, 'bin', 'coin.js'), '--version'] },
]
if (baseline)
  cases.push({
    name: `baseline coin --help (${baseline})`,
    args: [join(baseline, 'bin', 'coin.js'), '--help'],
  })

const wall = cases.map(() => [] as number[])
const cpu = cases.map(() => [] as number[])
for (let r = 0; r < reps + 1; r++)
  for (let k = 0; k < cases.length; k++) {
    const i = (k + r) % cases.length
    const t0 = process.hrtime.bigint()
    const res = spawnSync('/usr/bin/time', ['-f', 'CPU %U %S', process.execPath, ...cases[i]!.args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
    })
    const ms = Number(process.hrtime.bigint() - t0) / 1e6
    if (res.status !== 0) throw new Error(`${cases[i]!.name} exited ${res.status}: ${res.stderr}`)
    const m = /CPU ([\d.]+) ([\d.]+)\s*$/.exec(res.stderr)
    if (r === 0) continue // the first round warms the file cache
    wall[i]!.push(ms)
    if (m) cpu[i]!.push((Number(m[1]) + Number(m[2])) * 1000)
  }

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const floor = median(wall[0]!)
console.log('| command | wall median ms | wall min ms | wall median − node floor | CPU median ms |')
console.log('|---|---|---|---|---|')
cases.forEach((c, i) => {
  const m = median(wall[i]!)
  const c0 = cpu[i]!.length ? median(cpu[i]!).toFixed(0) : '–'
  console.log(
    `| ${c.name} | ${m.toFixed(0)} | ${Math.min(...wall[i]!).toFixed(0)} | ${(m - floor).toFixed(0)} | ${c0} |`,
  )
})
console.log(`\n${reps} alternating runs each, ${new Date().toISOString()}`)
