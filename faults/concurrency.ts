/**
 * N coin builds at once on one cache: cold (every target must run exactly once across all of
 * them) and restoring (outputs deleted, records kept: nothing may run, nothing may crash).
 */
import { rmSync } from 'node:fs'
import type { Context, Family, Trial } from './family.ts'
import { isExit70, settle } from './harness.ts'

const BUILDS = 4

async function together(ctx: Context) {
  return Promise.all(Array.from({ length: BUILDS }, () => ctx.sandbox.coin(['build', '-j', '2'])))
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
      const twice = [...sb.runCounts()].filter(([, c]) => c > 1).map(([id]) => id)
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
      const ran = [...sb.runCounts().keys()]
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
