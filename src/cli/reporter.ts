/**
 * Renders BuildEvents. Three forms, all consumers of the same event stream:
 *  - json:  one JSON object per line (every event; each target ends with an `event: "target"` line)
 *  - tty:   finished targets scroll above a live block: an overall line (done / total, running,
 *           failed, elapsed, ETA from the build's critical path) and one line per running target (a bar with step/total, rate and
 *           ETA when the rule reports steps; its last log line otherwise)
 *  - plain: one line per finished target (fresh ones only counted), for logs and CI
 * A failed target's line says `coin log <id>`; a target stopped by Ctrl-C reads "interrupted".
 * The live block is a few cursor-up/erase escapes over lines cut to the terminal's width (a cut
 * line never wraps, so the block always erases exactly what it drew).
 */
import pc from 'picocolors'
import type { BuildEvent, Outcome } from '../events.ts'

export type ReporterKind = 'json' | 'tty' | 'plain'

export interface Reporter {
  (e: BuildEvent): void
  close(): void
}

export interface ReporterOptions {
  /** Milliseconds since the epoch (tests pass a fake clock). */
  now?: () => number
  /** Redraw period of the live block; 0 draws only on events (tests). */
  refreshMs?: number
  /**
   * Milliseconds until the build ends, from the build's critical path (`Builder.remaining`);
   * undefined while unknown. Without it the overall line has no ETA.
   */
  remaining?: (now: number) => number | undefined
}

type Out = Pick<NodeJS.WriteStream, 'write'> & { columns?: number }
type TargetEvent = Extract<BuildEvent, { event: 'target' }>

const fmtMs = (ms: number) => (ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`)

/** 75s → 1m15s; for ETAs and elapsed times of long builds. */
export function fmtDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`
}

const outcomeText: Record<Outcome, (s: string) => string> = {
  fresh: pc.dim,
  restored: pc.cyan,
  ran: pc.green,
  failed: pc.red,
  skipped: pc.yellow,
}

/** A target stopped by Ctrl-C is reported as failed by the engine; to the user it was interrupted. */
const wasInterrupted = (e: TargetEvent) =>
  e.outcome === 'failed' && /^(interrupted|cancelled)\b/.test(e.reason ?? '')

export function summaryLine(e: Extract<BuildEvent, { event: 'done' }>, what: string): string {
  const c = e.counts
  const total = Object.values(c).reduce((a, b) => a + b, 0)
  const parts = (Object.keys(c) as Outcome[]).filter((k) => c[k] > 0).map((k) => `${c[k]} ${k}`)
  if (e.interrupted) return pc.yellow(`✗ ${what}: interrupted (${parts.join(', ')})  ${fmtMs(e.durationMs)}`)
  if (!e.ok) return pc.red(`✗ ${what}: ${parts.join(', ')}  ${fmtMs(e.durationMs)}`)
  if (c.fresh === total) return `${pc.green('✓')} ${what} up to date (${total} fresh)  ${fmtMs(e.durationMs)}`
  return `${pc.green('✓')} ${what}  (${total} targets: ${parts.join(', ')})  ${fmtMs(e.durationMs)}`
}

/** One finished target. */
export function targetLine(e: TargetEvent): string {
  const interrupted = wasInterrupted(e)
  const word = interrupted ? pc.yellow('interrupted'.padEnd(8)) : outcomeText[e.outcome](e.outcome.padEnd(8))
  let extra = ''
  if (interrupted) extra = ''
  else if (e.outcome === 'failed') extra = `  ${e.reason ?? ''}  ${pc.dim(`(log: coin log ${e.id})`)}`
  else if (e.outcome === 'skipped') extra = `  ${e.reason ?? ''}`
  const pub = e.published?.length ? pc.dim(`  → ${e.published.join(', ')}`) : ''
  return `  ${e.id.padEnd(36)} ${word} ${fmtMs(e.durationMs).padStart(7)}${extra}${pub}`
}

interface Running {
  start: number
  step?: number
  total?: number
  /** First progress sample with a step, for the rate. */
  first?: { t: number; step: number }
  last?: { t: number; step: number }
  metrics: string
  message: string
  logLine: string
}

const ANSI = /\x1b\[[0-9;]*m/g
const visibleLength = (s: string) => s.replace(ANSI, '').length

/** Cuts a line (with colour escapes) to `width` visible characters. */
function cut(s: string, width: number): string {
  if (visibleLength(s) <= width) return s
  let out = ''
  let n = 0
  for (const part of s.split(/(\x1b\[[0-9;]*m)/)) {
    if (part.startsWith('\x1b[')) out += part
    else {
      const room = width - 1 - n
      if (room <= 0) continue
      out += part.slice(0, room)
      n += Math.min(part.length, room)
    }
  }
  return `${out}…\x1b[0m`
}

function bar(fraction: number, width = 16): string {
  const full = Math.max(0, Math.min(width, Math.round(fraction * width)))
  return `${pc.green('█'.repeat(full))}${pc.dim('░'.repeat(width - full))}`
}

export function createReporter(
  kind: ReporterKind,
  what: string,
  out: Out = process.stdout,
  o: ReporterOptions = {},
): Reporter {
  if (kind === 'json') {
    // Lines are written together at the end of the event loop's current turn (or every 64 KiB):
    // a write per event was a system call each, 10k of them for a no-op of 10k targets. Nothing
    // waits longer than the turn, so a script reading the stream sees each event as it happens.
    let pending: string[] = []
    let size = 0
    let scheduled = false
    const flush = () => {
      scheduled = false
      if (!pending.length) return
      const text = pending.join('')
      pending = []
      size = 0
      out.write(text)
    }
    // A command that exits without closing the reporter (an error) still gets its lines out.
    process.once('exit', flush)
    const r = ((e: BuildEvent) => {
      // Log lines keep their text, not the terminal's carriage returns (progress bars of tools).
      const clean = e.event === 'log' ? { ...e, line: e.line.replace(/\r/g, '') } : e
      const line = `${JSON.stringify(clean)}\n`
      pending.push(line)
      size += line.length
      if (size >= 1 << 16) flush()
      else if (!scheduled) {
        scheduled = true
        setImmediate(flush)
      }
    }) as Reporter
    r.close = () => {
      flush()
      process.off('exit', flush)
    }
    return r
  }
  const now = o.now ?? Date.now
  const started = now()
  const running = new Map<string, Running>()
  const skipped: TargetEvent[] = []
  let total = 0
  let finished = 0
  let failed = 0

  const overall = (): string => {
    const elapsed = now() - started
    const parts = [`${finished}/${total || '?'} done`, `${running.size} running`]
    if (failed) parts.push(pc.red(`${failed} failed`))
    parts.push(fmtDuration(elapsed))
    const eta = total > finished ? o.remaining?.(now()) : undefined
    if (eta !== undefined) parts.push(`ETA ~${fmtDuration(eta)}`)
    return `${pc.bold('coin')} ${what}  ${parts.join('  ')}`
  }

  const runningLine = (id: string, r: Running, width: number): string => {
    const t = now()
    const head = `  ${pc.blue('●')} ${id.padEnd(34)} ${fmtDuration(t - r.start).padStart(6)}`
    const bits: string[] = []
    if (r.step !== undefined && r.total) {
      bits.push(`${bar(r.step / r.total)} ${r.step}/${r.total}`)
      if (r.first && r.last && r.last.t - r.first.t >= 1000 && r.last.step > r.first.step) {
        const rate = ((r.last.step - r.first.step) * 1000) / (r.last.t - r.first.t)
        bits.push(`${rate >= 10 ? rate.toFixed(0) : rate.toPrecision(2)} step/s`)
        bits.push(`ETA ${fmtDuration(((r.total - r.step) / rate) * 1000)}`)
      }
    } else if (r.step !== undefined) bits.push(`step ${r.step}`)
    if (r.metrics) bits.push(r.metrics)
    const text = r.logLine || r.message
    if (text) bits.push(pc.dim(text))
    return cut(`${head}  ${bits.join('  ')}`, width)
  }

  let drawn = 0
  const clear = () => {
    if (drawn) out.write(`\x1b[${drawn}F\x1b[0J`)
    drawn = 0
  }
  const draw = () => {
    if (kind !== 'tty') return
    clear()
    const width = Math.max(40, (out.columns ?? 100) - 1)
    const lines = [cut(overall(), width), ...[...running].map(([id, r]) => runningLine(id, r, width))]
    out.write(`${lines.join('\n')}\n`)
    drawn = lines.length
  }
  const refreshMs = o.refreshMs ?? 250
  let lastDraw = 0
  /** Progress and log events redraw at most every half refresh period (steps can come per ms). */
  const drawSoon = () => {
    if (now() - lastDraw < refreshMs / 2) return
    lastDraw = now()
    draw()
  }
  const timer = kind === 'tty' && refreshMs !== 0 ? setInterval(draw, refreshMs) : undefined
  timer?.unref()
  const print = (s: string) => {
    clear()
    out.write(`${s}\n`)
    draw()
  }
  const r = ((e: BuildEvent) => {
    switch (e.event) {
      case 'plan':
        total = e.targets
        draw()
        break
      case 'start':
        running.set(e.id, { start: now(), metrics: '', message: e.reason, logLine: '' })
        draw()
        break
      case 'progress': {
        const r0 = running.get(e.id)
        if (!r0) break
        const { event: _e, id: _i, step, total: steps, message, resumed, ...rest } = e
        const t = now()
        if (typeof resumed === 'number')
          print(`  ${e.id.padEnd(36)} ${pc.cyan('resumed')}  at step ${resumed}`)
        if (typeof step === 'number') {
          r0.step = step
          r0.first ??= { t, step }
          r0.last = { t, step }
        }
        if (typeof steps === 'number') r0.total = steps
        if (typeof message === 'string') r0.message = message
        r0.metrics = Object.entries(rest)
          .map(([k, v]) => `${k} ${typeof v === 'number' ? Number(v.toPrecision(3)) : v}`)
          .join('  ')
        drawSoon()
        break
      }
      case 'log': {
        const r0 = running.get(e.id)
        // A tool's progress bar redraws with \r: its latest state is after the last one.
        const line = e.line.split('\r').filter(Boolean).at(-1)?.trim()
        if (r0 && line) r0.logLine = line
        drawSoon()
        break
      }
      case 'waiting':
        print(`  ${e.id.padEnd(36)} ${pc.yellow('waiting')}  another coin process is building it`)
        break
      case 'target': {
        running.delete(e.id)
        finished++
        if (e.outcome === 'failed' && !wasInterrupted(e)) failed++
        // Skips cascade from one failure; they are counted in the summary, and listed only if few.
        if (e.outcome === 'skipped') skipped.push(e)
        else if (e.outcome !== 'fresh') print(targetLine(e))
        else draw()
        break
      }
      case 'swept':
        print(pc.dim(`  swept ${e.staging} unfinished staging dir(s) from an interrupted build`))
        break
      case 'done':
        if (skipped.length <= 5) for (const k of skipped) print(targetLine(k))
        else
          print(
            pc.yellow(`  ${skipped.length} targets skipped: ${skipped[0]!.reason} (and others downstream)`),
          )
        running.clear()
        clear()
        out.write(`${summaryLine(e, what)}\n`)
        drawn = 0
        if (timer) clearInterval(timer)
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
