/**
 * A full disk during a build: an injected ENOSPC after N successful writes under cache/ (always),
 * and a real small tmpfs as the cache folder (where this process may mount one). Each must exit 1
 * with a clear message (never 70), leave no temp file, staging folder or malformed record, and a
 * build with space again must give the reference results.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { recordProblem } from '../src/cache/validate.ts'
import type { Context, Family, Trial } from './family.ts'
import { isExit70, type Run, repoRoot, settle } from './harness.ts'

const PRELOAD = join(repoRoot, 'faults', 'enospc-preload.mjs')

/** Temp files, staging entries and malformed records under `cache`. */
export function halfWritten(cache: string): string[] {
  const bad: string[] = []
  const walk = (d: string) => {
    if (!existsSync(d)) return
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name)
      if (e.name.endsWith('.tmp')) bad.push(p)
      else if (e.isDirectory()) walk(p)
    }
  }
  walk(cache)
  const staging = join(cache, 'staging')
  if (existsSync(staging)) bad.push(...readdirSync(staging).map((n) => join(staging, n)))
  const actions = join(cache, 'actions')
  if (existsSync(actions))
    for (const sub of readdirSync(actions))
      for (const name of readdirSync(join(actions, sub))) {
        let rec: unknown
        try {
          rec = JSON.parse(readFileSync(join(actions, sub, name), 'utf8'))
        } catch {
          rec = undefined
        }
        if (recordProblem(rec, name.replace(/\.json$/, ''))) bad.push(join(actions, sub, name))
      }
  return bad
}

function judge(r: Run): { fine: boolean; note: string } {
  const fine = (r.code === 1 && /no space left on device/i.test(r.stdout + r.stderr)) || r.code === 0
  return {
    fine,
    note: `exit ${r.code}: ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' ').slice(0, 200)}`,
  }
}

async function injected(ctx: Context, after: number): Promise<Trial> {
  const sb = ctx.sandbox
  rmSync(sb.path('cache'), { recursive: true, force: true })
  const r = await sb.coin(['build'], {
    NODE_OPTIONS: `--import=${PRELOAD}`,
    COIN_FAULT_ENOSPC_DIR: sb.path('cache'),
    COIN_FAULT_ENOSPC_AFTER: String(after),
  })
  const left = halfWritten(sb.path('cache'))
  const { fine, note } = judge(r)
  const v = await settle(sb, ctx.reference)
  const ok = v.ok && fine && left.length === 0
  return {
    family: 'disk full (injected ENOSPC)',
    name: `after ${after} writes`,
    verdict: {
      ...v,
      ok,
      wrong: v.wrong || !fine || left.length > 0,
      exit70: v.exit70 || isExit70(r),
      note: `${note}; left ${left.join(', ') || 'nothing'}`,
    },
  }
}

function canMount(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true })
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' })
    execFileSync('umount', [dir], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

async function tmpfs(ctx: Context, kib: number): Promise<Trial> {
  const sb = ctx.sandbox
  const dir = sb.path('small-disk') // inside the project: it is this trial's cache folder
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${kib}k`, 'tmpfs', dir])
  try {
    const r = await sb.coin(['--cache', dir, 'build'])
    const left = halfWritten(dir)
    const { fine, note } = judge(r)
    // Space again (a bigger disk): the same cache must now complete the build.
    execFileSync('mount', ['-o', 'remount,size=64m', dir])
    const again = await sb.coin(['--cache', dir, 'build'])
    const v = await settle(sb, ctx.reference)
    const ok = v.ok && fine && left.length === 0 && again.code === 0
    return {
      family: 'disk full (tmpfs)',
      name: `${kib} KiB tmpfs`,
      verdict: {
        ...v,
        ok,
        wrong: v.wrong || !fine || left.length > 0 || again.code !== 0,
        exit70: v.exit70 || isExit70(r) || isExit70(again),
        note: `${note}; then exit ${again.code}; left ${left.join(', ') || 'nothing'}`,
      },
    }
  } finally {
    execFileSync('umount', [dir])
    rmSync(dir, { recursive: true, force: true })
  }
}

export const diskFull: Family = {
  name: 'disk full',
  about: 'ENOSPC injected after N writes, and a real tmpfs too small for the cache',
  async run(ctx) {
    const trials: Trial[] = []
    for (const after of ctx.quick ? [5] : [0, 1, 2, 4, 6, 9, 13, 20]) {
      const t = await injected(ctx, after)
      trials.push(t)
      ctx.log(`disk full injected ${t.name}: ${t.verdict.ok ? 'ok' : 'FAIL'} ${t.verdict.note}`)
    }
    const dir = ctx.sandbox.path('small-disk')
    if (!ctx.quick && canMount(dir))
      for (const kib of [16, 48, 96, 160]) {
        mkdirSync(dir, { recursive: true })
        const t = await tmpfs(ctx, kib)
        trials.push(t)
        ctx.log(`disk full tmpfs ${t.name}: ${t.verdict.ok ? 'ok' : 'FAIL'} ${t.verdict.note}`)
      }
    return trials
  },
}
