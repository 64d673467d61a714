/** The fault report: counts per family (trials, passed, wrong results, exit 70s, outside writes) and every failure. */
import type { Family, Trial } from './family.ts'

export interface ReportInput {
  trials: Trial[]
  families: Family[]
  timings: Record<string, number>
  seed: number
  quick: boolean
  command: string
  machine: string
  totalMs: number
}

export function renderReport(r: ReportInput): string {
  const byFamily = new Map<string, Trial[]>()
  for (const t of r.trials) byFamily.set(t.family, [...(byFamily.get(t.family) ?? []), t])
  const count = (ts: Trial[], f: (t: Trial) => boolean | undefined) => ts.filter((t) => f(t)).length
  const rows = [...byFamily].map(
    ([name, ts]) =>
      `| ${name} | ${ts.length} | ${count(ts, (t) => t.verdict.ok)} | ${count(ts, (t) => t.verdict.wrong)} | ${count(ts, (t) => t.verdict.exit70)} | ${count(ts, (t) => t.verdict.outside)} |`,
  )
  const all = r.trials
  const sum = (prefix: string) => all.filter((t) => t.family.startsWith(prefix)).length
  const failures = all.filter((t) => !t.verdict.ok)
  return `# Fault report${r.quick ? ' (quick subset)' : ''}

Produced by \`${r.command}\` (seed ${r.seed}; replay with \`--seed ${r.seed}\`) on ${r.machine}, in
${(r.totalMs / 60_000).toFixed(1)} min. Each trial ends with a clean \`coin build\` that must exit 0 and
reproduce the reference outputs byte for byte (every materialised output folder and the published
\`results/\`), and with a check that nothing outside the project changed (a canary folder next to it).

| family | trials | passed | wrong results | exit 70 | writes outside |
|---|---:|---:|---:|---:|---:|
${rows.join('\n')}
| **total** | **${all.length}** | **${count(all, (t) => t.verdict.ok)}** | **${count(all, (t) => t.verdict.wrong)}** | **${count(all, (t) => t.verdict.exit70)}** | **${count(all, (t) => t.verdict.outside)}** |

Summary: ${sum('kill-9')} kill -9 trials, ${sum('concurrent restores')} concurrent-restore trials,
${new Set(all.filter((t) => t.family.startsWith('corruption')).map((t) => t.family)).size} corruption kinds,
${sum('bad input')} bad inputs, ${sum('locks')} lock trials, ${sum('disk full')} disk-full trials, ${sum('slurm')} Slurm trials.

## Families

${r.families.map((f) => `- **${f.name}** (${((r.timings[f.name] ?? 0) / 1000).toFixed(0)} s): ${f.about}`).join('\n')}

## Failures

${failures.length ? failures.map((t) => `- ${t.family} / ${t.name}: ${t.verdict.note ?? ''}`).join('\n') : 'None.'}
`
}
