/**
 * CPU-profiles one `coin build` in a project and prints where the time goes.
 *
 *   npx tsx bench/profile.ts <project-dir> [coin build args...]   # e.g. -j 2 or a target id
 *   npx tsx bench/profile.ts --summarize <file.cpuprofile>...
 *
 * The profile is written with `node --cpu-prof` into <project-dir>/.cpuprofiles/; the summary lists
 * self time per function and per area, and inclusive time of coin's own functions.
 */
import { mkdirSync, readdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { coinBuild, repoRoot } from './lib/coin.ts'
import { summarizeProfile } from './lib/cpuprofile.ts'
import type { ProfileSummary } from './lib/types.ts'

/** Runs coin under --cpu-prof in `dir`; returns the profile's path and the run's wall time. */
export function profileCoin(
  dir: string,
  o: { jobs: number; targets?: string[]; profDir?: string },
): { file: string; wallMs: number; engineMs?: number } {
  const profDir = o.profDir ?? join(dir, '.cpuprofiles')
  mkdirSync(profDir, { recursive: true })
  const before = new Set(readdirSync(profDir))
  const r = coinBuild(dir, {
    jobs: o.jobs,
    targets: o.targets,
    nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${profDir}`, '--cpu-prof-interval=200'],
  })
  if (r.code !== 0) throw new Error(`coin build under --cpu-prof exited ${r.code}: ${r.stderr.slice(-500)}`)
  const made = readdirSync(profDir)
    .filter((f) => f.endsWith('.cpuprofile') && !before.has(f))
    .map((f) => join(profDir, f))
    .sort((a, b) => statSync(b).size - statSync(a).size)
  if (!made[0]) throw new Error(`no .cpuprofile written to ${profDir}`)
  return { file: made[0], wallMs: r.wallMs, engineMs: r.done?.durationMs }
}

export function formatProfile(p: ProfileSummary): string {
  const lines = [`### ${p.label}`, '', `Sampled CPU time: ${p.totalMs.toFixed(0)} ms (${p.file})`, '']
  lines.push('| area | self ms | % |', '|---|---:|---:|')
  for (const a of p.byArea.slice(0, 10)) lines.push(`| ${a.area} | ${a.selfMs.toFixed(1)} | ${a.pct} |`)
  lines.push('', '| function (self time) | where | self ms | % |', '|---|---|---:|---:|')
  for (const f of p.top.slice(0, 15))
    lines.push(`| \`${f.fn}\` | ${f.where || '(native)'} | ${f.selfMs.toFixed(1)} | ${f.pct} |`)
  lines.push('', '| coin function (inclusive) | where | total ms |', '|---|---|---:|')
  for (const f of p.phases.slice(0, 15)) lines.push(`| \`${f.fn}\` | ${f.where} | ${f.totalMs.toFixed(1)} |`)
  return `${lines.join('\n')}\n`
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === '--summarize') {
    for (const f of argv.slice(1))
      process.stdout.write(formatProfile(summarizeProfile(resolve(f), f, repoRoot)))
    return
  }
  const [dir, ...rest] = argv
  if (!dir) {
    process.stderr.write(
      'usage: tsx bench/profile.ts <project-dir> [-j N] [targets...] | --summarize <file>...\n',
    )
    process.exit(2)
  }
  let jobs = 2
  const targets: string[] = []
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '-j') jobs = Number(rest[++i])
    else targets.push(rest[i]!)
  }
  const r = profileCoin(resolve(dir), { jobs, targets })
  process.stdout.write(`wall ${r.wallMs.toFixed(0)} ms, engine ${r.engineMs ?? '?'} ms\n\n`)
  process.stdout.write(formatProfile(summarizeProfile(r.file, `coin build in ${dir}`, repoRoot)))
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(repoRoot, 'bench', 'profile.ts'))
  await main(process.argv.slice(2))
