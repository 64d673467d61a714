/**
 * Renders BuildEvents. Three forms, all consumers of the same event stream:
 *  - json:  one JSON object per line (every event; each target ends with an `event: "target"` line)
 *  - tty:   a live block of running targets (elapsed time, last progress line) under a scrolling
 *           log of finished ones
 *  - plain: one line per finished target (fresh ones only counted), for logs and CI
 */
import pc from 'picocolors'
import type { BuildEvent, Outcome } from '../events.ts'
import { etaMs, fmtEta, type StepMark } from './eta.ts'

export type ReporterKind = 'json' | 'tty' | 'plain'

export interface Reporter {
  (e: BuildEvent): void
  close(): void
}

const fmtMs = (ms: number) => (ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(1)}s`)

const outcomeText: Record<Outcome, (s: string) => string> = {
  fresh: pc.dim,
  restored: pc.cyan,
  ran: pc.green,
  failed: pc.red,
  skipped: pc.yellow,
}

export function summaryLine(e: Extract<BuildEvent, { event: 'done' }>, what: string): string {
  const c = e.counts
  const total = Object.values(c).reduce((a, b) => a + b, 0)
  const parts = (Object.keys(c) as Outcome[]).filter((k) => c[k] > 0).map((k) => `${c[k]} ${k}`)
  if (e.interrupted) return pc.red(`✗ ${what}: interrupted (${parts.join(', ')})  ${fmtMs(e.durationMs)}`)
  if (!e.ok) return pc.red(`✗ ${what}: ${parts.join(', ')}  ${fmtMs(e.durationMs)}`)
  if (c.fresh === total) return `${pc.green('✓')} ${what} up to date (${total} fresh)  ${fmtMs(e.durationMs)}`
  return `${pc.green('✓')} ${what}  (${total} targets: ${parts.join(', ')})  ${fmtMs(e.durationMs)}`
}

export function createReporter(kind: ReporterKind, what: string, out = process.stdout): Reporter {
  if (kind === 'json') {
    const r = ((e: BuildEvent) => {
      out.write(`${JSON.stringify(e)}\n`)
    }) as Reporter
    r.close = () => {}
    return r
  }
  const running = new Map<string, { start: number; last: string; first?: StepMark }>()
  const skipped: Extract<BuildEvent, { event: 'target' }>[] = []
  const lineFor = (e: Extract<BuildEvent, { event: 'target' }>) => {
    const extra = e.outcome === 'failed' || e.outcome === 'skipped' ? `  ${e.reason ?? ''}` : ''
    const pub = e.published?.length ? pc.dim(`  → ${e.published.join(', ')}`) : ''
    return `  ${e.id.padEnd(36)} ${outcomeText[e.outcome](e.outcome.padEnd(8))} ${fmtMs(e.durationMs).padStart(7)}${extra}${pub}`
  }
  let drawn = 0
  const clear = () => {
    if (drawn) out.write(`\x1b[${drawn}F\x1b[0J`)
    drawn = 0
  }
  const draw = () => {
    if (kind !== 'tty') return
    clear()
    const cols = out.columns ?? 100
    const lines = [...running].map(([id, r]) => {
      const t = fmtMs(Date.now() - r.start)
      return `  ${pc.blue('●')} ${id.padEnd(34)} ${t.padStart(6)}  ${pc.dim(r.last)}`.slice(0, cols + 20)
    })
    if (lines.length) out.write(`${lines.join('\n')}\n`)
    drawn = lines.length
  }
  const timer = kind === 'tty' ? setInterval(draw, 250) : undefined
  timer?.unref()
  const print = (s: string) => {
    clear()
    out.write(`${s}\n`)
    draw()
  }
  const r = ((e: BuildEvent) => {
    switch (e.event) {
      case 'start':
        running.set(e.id, { start: Date.now(), last: e.reason })
        if (kind === 'plain') print(`  ${e.id.padEnd(36)} ${pc.blue('start')}     ${pc.dim(e.reason)}`)
        else draw()
        break
      case 'progress': {
        const r0 = running.get(e.id)
        if (r0) {
          const { event: _e, id: _i, step, total, message, ...rest } = e
          if (step !== undefined && !r0.first) r0.first = { at: Date.now(), step }
          const eta =
            step !== undefined && total && r0.first ? etaMs(r0.first, Date.now(), step, total) : undefined
          const metrics = Object.entries(rest)
            .map(([k, v]) => `${k} ${typeof v === 'number' ? Number(v.toPrecision(3)) : v}`)
            .join('  ')
          r0.last = [
            step !== undefined ? `step ${step}${total ? `/${total}` : ''}` : '',
            metrics,
            eta !== undefined ? `eta ${fmtEta(eta)}` : '',
            message ?? '',
          ]
            .filter(Boolean)
            .join('  ')
        }
        break
      }
      case 'waiting':
        print(`  ${e.id.padEnd(36)} ${pc.yellow('waiting')}  another coin process is building it`)
        break
      case 'target':
        running.delete(e.id)
        // Skips cascade from one failure; they are counted in the summary, and listed only if few.
        if (e.outcome === 'skipped') skipped.push(e)
        else if (e.outcome !== 'fresh') print(lineFor(e))
        break
      case 'swept':
        print(pc.dim(`  swept ${e.staging} unfinished staging dir(s) from an interrupted build`))
        break
      case 'done':
        if (skipped.length <= 5) for (const k of skipped) print(lineFor(k))
        else
          print(
            pc.yellow(`  ${skipped.length} targets skipped: ${skipped[0]!.reason} (and others downstream)`),
          )
        print(summaryLine(e, what))
        break
      default:
        break
    }
  }) as Reporter
  r.close = () => {
    if (timer) clearInterval(timer)
    clear()
  }
  return r
}
