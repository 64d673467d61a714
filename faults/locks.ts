/**
 * Stale and stolen locks. While build A runs the `slow` target (its duration comes from the
 * environment, so A and B share its key), A is killed (-9), stopped (SIGSTOP) or blocks its own
 * event loop; build B starts meanwhile. B must take over a dead holder's lock at once, and must
 * never run the key while a live holder has it (however late its heartbeat): `slow` runs once.
 */
import { existsSync, rmSync } from 'node:fs'
import { STALE_MS } from '../src/cache/lock.ts'
import type { Family, Trial } from './family.ts'
import { collect, isExit70, type Run, settle, sleep, waitFor } from './harness.ts'

type Mode = 'kill -9 holder' | 'SIGSTOP holder' | 'blocked event loop'

export const locks: Family = {
  name: 'locks',
  about: 'a second build while the holder of a key lock is killed, stopped, or blocks its event loop',
  async run(ctx) {
    const trials: Trial[] = []
    const sb = ctx.sandbox
    const modes: Mode[] = ctx.quick
      ? ['kill -9 holder']
      : ['kill -9 holder', 'SIGSTOP holder', 'blocked event loop']
    const per = ctx.quick ? 1 : 2
    for (const mode of modes)
      for (let i = 0; i < per; i++) {
        // Forget slow's output and record so both builds want to run it.
        rmSync(sb.path('cache/out/slow.out'), { recursive: true, force: true })
        rmSync(sb.path('cache/out/slow.json'), { force: true })
        rmSync(sb.path('cache/actions'), { recursive: true, force: true })
        rmSync(sb.path('runs.log'), { force: true })
        rmSync(sb.path('slow-started'), { force: true })
        const holdMs = mode === 'kill -9 holder' ? 60_000 : STALE_MS + 4000
        const a = sb.spawn(['build', 'slow'], {
          FAULT_SLOW_MS: String(holdMs),
          ...(mode === 'blocked event loop' ? { FAULT_SLOW_BUSY: '1' } : {}),
        })
        const aDone = collect(a, 120_000)
        await waitFor(() => existsSync(sb.path('slow-started')))
        if (mode === 'kill -9 holder') a.kill('SIGKILL')
        if (mode === 'SIGSTOP holder') a.kill('SIGSTOP')
        const t0 = Date.now()
        const bDone = collect(sb.spawn(['build', 'slow'], { FAULT_SLOW_MS: '10' }), 120_000)
        let b: Run
        let aRun: Run | undefined
        if (mode === 'SIGSTOP holder') {
          // Past the heartbeat's staleness, B must still be waiting, not running slow itself.
          await sleep(STALE_MS + 2000)
          const during = sb.runsOf('slow')
          a.kill('SIGCONT')
          ;[aRun, b] = await Promise.all([aDone, bDone])
          if (during > 1) b = { ...b, code: -1, stderr: `slow ran ${during} times while A was stopped` }
        } else {
          b = await bDone
          aRun = await aDone
        }
        const bMs = Date.now() - t0
        const ranTimes = sb.runsOf('slow')
        const expectRuns = mode === 'kill -9 holder' ? 2 : 1
        const v = await settle(sb, ctx.reference, mode)
        const fine = b.code === 0 && ranTimes === expectRuns && (mode !== 'kill -9 holder' || bMs < STALE_MS)
        const verdict = {
          ...v,
          ok: v.ok && fine,
          wrong: v.wrong || !fine,
          exit70: v.exit70 || isExit70(b) || (aRun !== undefined && isExit70(aRun)),
          note: `${mode}: B exit ${b.code} after ${bMs} ms, slow ran ${ranTimes}× (expected ${expectRuns}) ${b.stderr.slice(0, 200)}`,
        }
        trials.push({ family: `locks: ${mode}`, name: mode, verdict })
        ctx.log(`locks ${mode}: ${verdict.ok ? 'ok' : 'FAIL'} ${verdict.note}`)
      }
    return trials
  },
}
