/**
 * kill -9 at a random moment of a build (coin alone, or its whole process group with the shell
 * rules' children), from a cold, partial or stale cache; then a clean build must give the
 * reference results.
 */
import { readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { Context, Family, Trial } from './family.ts'
import { collect, settle, sleep } from './harness.ts'

/** Leaves the cache cold, partial (some outputs and records gone) or with a changed seed. */
function prepare(ctx: Context, i: number): string {
  const sb = ctx.sandbox
  const kind = ['cold', 'partial', 'input-changed'][i % 3]!
  if (kind === 'cold') rmSync(sb.path('cache'), { recursive: true, force: true })
  if (kind === 'partial') {
    for (const sub of ['gen', 'sum', 'wc'])
      for (const name of safeList(sb.path(`cache/out/${sub}`)))
        if (ctx.random() < 0.5)
          rmSync(join(sb.path(`cache/out/${sub}`), name), { recursive: true, force: true })
    for (const sub of safeList(sb.path('cache/actions')))
      if (ctx.random() < 0.5) rmSync(join(sb.path('cache/actions'), sub), { recursive: true, force: true })
  }
  // A new seed: every generator reruns (and the clean build reverts it, restoring or rerunning).
  sb.write({ 'seed.txt': kind === 'input-changed' ? `seed-${i}\n` : 'seed-1\n' })
  return kind
}

const safeList = (dir: string) => {
  try {
    return readdirSync(dir)
  } catch {
    return []
  }
}

function killFamily(name: string, group: boolean, full: number, quick: number): Family {
  return {
    name,
    about: group
      ? 'kill -9 of the whole process group (coin and its shell children) at a random moment'
      : 'kill -9 of the coin process alone at a random moment',
    async run(ctx) {
      const trials: Trial[] = []
      const n = ctx.quick ? quick : full
      for (let i = 0; i < n; i++) {
        const kind = prepare(ctx, i)
        const sb = ctx.sandbox
        const child = sb.spawn(['build', '-j', '2'], {}, group)
        const done = collect(child)
        // Startup is ~1 s on an idle machine; kill anywhere from loading to the last targets.
        const delay = 300 + Math.floor(ctx.random() * 3500)
        await sleep(delay)
        if (group) {
          try {
            process.kill(-child.pid!, 'SIGKILL')
          } catch {}
        } else child.kill('SIGKILL')
        const killed = await done
        sb.write({ 'seed.txt': 'seed-1\n' })
        const verdict = await settle(
          sb,
          ctx.reference,
          `${kind}, kill at ${delay} ms (${killed.signal ?? `exit ${killed.code}`})`,
        )
        trials.push({ family: name, name: `${kind}@${delay}ms`, verdict })
        ctx.log(`${name} ${i + 1}/${n} ${kind} @${delay}ms ${verdict.ok ? 'ok' : `FAIL ${verdict.note}`}`)
      }
      return trials
    },
  }
}

export const killCoin = killFamily('kill-9 (coin)', false, 26, 1)
export const killGroup = killFamily('kill-9 (process group)', true, 26, 1)
