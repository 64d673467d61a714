/**
 * Summarises a V8 .cpuprofile (written by `node --cpu-prof`): self time per function, self time
 * per area (coin's src/, tsx/esbuild, zx, node internals, GC, idle), and the inclusive time of
 * coin's own functions (a function that recurses is counted once per stack).
 */
import { readFileSync } from 'node:fs'
import { relative } from 'node:path'
import type { ProfileSummary } from './types.ts'

interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
  columnNumber?: number
}

interface ProfileNode {
  id: number
  callFrame: CallFrame
  children?: number[]
}

interface CpuProfile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples: number[]
  timeDeltas: number[]
}

function where(cf: CallFrame, repoRoot: string): string {
  if (!cf.url) return ''
  const path = cf.url.replace(/^file:\/\//, '')
  const rel = (path.startsWith(repoRoot) ? relative(repoRoot, path) : path).replace(/\?tsx-namespace=.*$/, '')
  // tsx emits each TypeScript module on one line: the column, not the line, locates a function.
  if (cf.lineNumber === 0 && /\.[cm]?tsx?$/.test(rel)) return `${rel} col ${cf.columnNumber ?? 0}`
  return `${rel}:${cf.lineNumber + 1}`
}

/** The area a frame belongs to, for the "where does the time go" breakdown. */
export function areaOf(cf: CallFrame): string {
  const u = cf.url
  if (cf.functionName === '(garbage collector)') return 'GC'
  if (cf.functionName === '(idle)') return 'idle (waiting for I/O or children)'
  if (cf.functionName === '(program)') return 'V8/native (program)'
  if (!u) return cf.functionName.startsWith('(') ? cf.functionName : 'native (builtins)'
  if (u.startsWith('node:')) return 'node internals'
  if (u.includes('/node_modules/tsx/') || u.includes('/node_modules/esbuild/'))
    return 'tsx/esbuild (TS loading)'
  if (u.includes('/node_modules/zx/')) return 'zx (shell commands)'
  const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)
  if (m) return `node_modules/${m[1]}`
  const s = /\/src\/([^/]+)\//.exec(u) ?? /\/src\/([^/]+)\.ts/.exec(u)
  if (s) return `coin src/${s[1]}`
  if (u.includes('Coinfile')) return 'Coinfile'
  return 'other'
}

export function summarizeProfile(file: string, label: string, repoRoot: string, topN = 25): ProfileSummary {
  const prof = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  const byId = new Map(prof.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const selfUs = new Map<number, number>()
  for (let i = 0; i < prof.samples.length; i++) {
    const id = prof.samples[i]!
    selfUs.set(id, (selfUs.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0))
  }
  const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0)
  const keyOf = (cf: CallFrame) => `${cf.functionName || '(anonymous)'}\u0000${where(cf, repoRoot)}`

  const fnSelf = new Map<string, number>()
  const areaSelf = new Map<string, number>()
  const fnTotal = new Map<string, number>()
  for (const [id, us] of selfUs) {
    const node = byId.get(id)
    if (!node) continue
    const cf = node.callFrame
    fnSelf.set(keyOf(cf), (fnSelf.get(keyOf(cf)) ?? 0) + us)
    areaSelf.set(areaOf(cf), (areaSelf.get(areaOf(cf)) ?? 0) + us)
    // Inclusive: credit every distinct function on this sample's stack once.
    const seen = new Set<string>()
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)?.callFrame
      if (!f) break
      const k = keyOf(f)
      if (seen.has(k)) continue
      seen.add(k)
      fnTotal.set(k, (fnTotal.get(k) ?? 0) + us)
    }
  }
  const split = (k: string) => {
    const [fn, w] = k.split('\u0000')
    return { fn: fn ?? '', where: w ?? '' }
  }
  const pct = (us: number) => (totalUs ? Math.round((1000 * us) / totalUs) / 10 : 0)
  const top = [...fnSelf]
    .sort((a, b) => b[1] - a[1])
    .slice(0, topN)
    .map(([k, us]) => ({ ...split(k), selfMs: us / 1000, pct: pct(us) }))
  const byArea = [...areaSelf]
    .sort((a, b) => b[1] - a[1])
    .map(([area, us]) => ({ area, selfMs: us / 1000, pct: pct(us) }))
  const phases = [...fnTotal]
    .map(([k, us]) => ({ ...split(k), totalMs: us / 1000 }))
    .filter((p) => /^(dist\/)?(src|bench)\//.test(p.where) || p.where.includes('Coinfile'))
    .sort((a, b) => b.totalMs - a.totalMs)
    .slice(0, topN)
  return { label, file, totalMs: totalUs / 1000, top, byArea, phases }
}
