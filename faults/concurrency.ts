/**
 * N coin builds at once on one cache: cold (every target must run exactly once across all of
 * them) and restoring (outputs deleted, records kept: nothing may run, nothing may crash).
 */
import { rmSync } from 'node:fs'
import type { Context, Family, Trial } from './family.ts'
import { isExit70, type Run, settle } from './harness.ts'

const BUILDS = 4

async function together(ctx: Context) {
  return Promise.all(Array.from({ length: BUILDS }, () => ctx.sandbox.coin(['build', '--json', '-j', '2'])))
}

/** How many times each key ran, over all the builds (their `--json` target events). */
function ranKeys(runs: Run[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const r of runs)
    for (const line of r.stdout.split('\n')) {
      if (!line.startsWith('{')) continue
      const e = JSON.parse(line) as { event?: string; outcome?: string; key?: string; id?: string }
      if (e.event === 'target' && e.outcome === 'ran')
        counts.set(`${e.id} (${e.key})`, (counts.get(`${e.id} (${e.key})`) ?? 0) + 1)
    }
  return counts
}

export const concurrentCold: Family = {
  name: 'concurrent cold builds',
  about: `${BUILDS} builds at once on an empty cache; each target runs exactly once`,
  async run(ctx) {
    const trials: Trial[] = []
    const n = ctx.quick ? 0 : 3
    for (let i = 0; i < n; i++) {
      const sb = ctx.sandbox
      rmSync(sb.path('cache'), { recursive: true, force: true })
      rmSync(sb.path('runs.log'), { force: true })
      const runs = await together(ctx)
      // A key runs once over all builds (targets with equal keys share it: count keys, not ids).
      const byKey = new Map<string, number>()
      for (const [k, c] of ranKeys(runs)) {
        const key = k.slice(k.indexOf('(') + 1, -1)
        byKey.set(key, (byKey.get(key) ?? 0) + c)
      }
      const twice = [...byKey].filter(([, c]) => c > 1).map(([key]) => key)
      const failed = runs.filter((r) => r.code !== 0)
      const v = await settle(sb, ctx.reference)
      const verdict = {
        ...v,
        ok: v.ok && twice.length === 0 && failed.length === 0,
        wrong: v.wrong || twice.length > 0 || failed.length > 0,
        exit70: v.exit70 || runs.some(isExit70),
        note: `${failed.length} of ${BUILDS} failed; ran twice: ${twice.join(', ') || 'none'} ${failed[0]?.stderr.slice(0, 200) ?? ''}`,
      }
      trials.push({ family: this.name, name: `cold #${i + 1}`, verdict })
      ctx.log(`${this.name} ${i + 1}/${n} ${verdict.ok ? 'ok' : `FAIL ${verdict.note}`}`)
    }
    return trials
  },
}

export const concurrentRestore: Family = {
  name: 'concurrent restores',
  about: `outputs deleted (records kept), then ${BUILDS} builds at once restore the same targets`,
  async run(ctx) {
    const trials: Trial[] = []
    const n = ctx.quick ? 1 : 12
    for (let i = 0; i < n; i++) {
      const sb = ctx.sandbox
      // The previous trial ended with a clean build: every record exists.
      for (const f of ['cache/out', 'cache/out-index.json'])
        rmSync(sb.path(f), { recursive: true, force: true })
      rmSync(sb.path('runs.log'), { force: true })
      const runs = await together(ctx)
      const ran = [...ranKeys(runs).keys()]
      const failed = runs.filter((r) => r.code !== 0)
      const v = await settle(sb, ctx.reference)
      const verdict = {
        ...v,
        ok: v.ok && failed.length === 0 && ran.length === 0,
        wrong: v.wrong || failed.length > 0 || ran.length > 0,
        exit70: v.exit70 || runs.some(isExit70),
        note: `${failed.length} of ${BUILDS} failed; ran: ${ran.join(', ') || 'nothing'} ${failed[0]?.stderr.slice(0, 300) ?? ''}`,
      }
      trials.push({ family: this.name, name: `restore #${i + 1}`, verdict })
      ctx.log(`${this.name} ${i + 1}/${n} ${verdict.ok ? 'ok' : `FAIL ${verdict.note}`}`)
    }
    return trials
  },
}
