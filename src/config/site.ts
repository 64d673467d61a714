/**
 * Where in the user's files something was declared. Captured from the stack when a rule, a target
 * or a Coinfile is created, so diagnostics and `coin params` can point at `Coinfile.ts:12`.
 */
import { findSourceMap } from 'node:module'
import { fileURLToPath } from 'node:url'

export interface SourceSite {
  file: string
  line: number
  column: number
}

/** The first stack frame outside coin's own `src/` directory (where a rule is defined). */
export function callerSite(): SourceSite | undefined {
  return firstUserFrame(rawFrames(callerSite).map(originalFrame), false)
}

/**
 * Captures where the caller is now and resolves it only when asked. Formatting a stack (through
 * source maps) costs ~20 µs, which a Coinfile of 10k targets would pay on every load for lines
 * only diagnostics read; and a captured stack kept for later is ~1.1 KB a target (at 10k targets,
 * 11 MB of the live heap, from which V8 sizes the heap it lets grow). So only the few frames
 * outside coin's engine are kept, as V8 reports them (generated positions); source maps are
 * applied when the site is read, as Node's own stack formatting does.
 */
export function lazyCallerSite(): () => SourceSite | undefined {
  const frames = rawFrames(lazyCallerSite)
  // Targets declared in a loop share their frames: one getter per place, not one per target
  // (~350 B each, 3.5 MB of live heap at 10k targets).
  const place = frames.map((f) => `${f.file}:${f.line}:${f.column}`).join('\n')
  let getter = sitesByPlace.get(place)
  if (getter) return getter
  let site: SourceSite | undefined | null = null
  getter = () => {
    if (site === null) {
      const mapped = frames.map(originalFrame)
      // Targets declared by coin's built-in helpers (sequence(), evaluate()) point at the user's call.
      site = firstUserFrame(mapped, true) ?? firstUserFrame(mapped, false)
    }
    return site
  }
  // Bounded by the places in the code; cleared if a long-lived process loads many bundles.
  if (sitesByPlace.size >= MAX_PLACES) sitesByPlace.clear()
  sitesByPlace.set(place, getter)
  return getter
}

const MAX_PLACES = 10_000
const sitesByPlace = new Map<string, () => SourceSite | undefined>()

// The user's frame is a few calls up (their targets() or a helper such as sequence()).
const STACK_DEPTH = 16
const KEPT_FRAMES = 4

/** Up to KEPT_FRAMES frames above `above` that are neither Node's nor coin's engine's. */
function rawFrames(above: (...args: never[]) => unknown): SourceSite[] {
  const prepare = Error.prepareStackTrace
  const limit = Error.stackTraceLimit
  const holder: { stack?: NodeJS.CallSite[] } = {}
  try {
    Error.stackTraceLimit = STACK_DEPTH
    Error.prepareStackTrace = (_error, calls) => calls
    Error.captureStackTrace(holder, above)
    const calls = holder.stack ?? []
    const kept: SourceSite[] = []
    for (const call of calls) {
      const name = call.getFileName()
      if (!name || name.startsWith('node:')) continue
      if (isEngineFile(asPath(name))) continue
      kept.push({ file: name, line: call.getLineNumber() ?? 0, column: call.getColumnNumber() ?? 0 })
      if (kept.length === KEPT_FRAMES) break
    }
    return kept
  } finally {
    Error.prepareStackTrace = prepare
    Error.stackTraceLimit = limit
  }
}

/** The frame in the file the code came from, where a source map says (as Node's stack traces do). */
function originalFrame(raw: SourceSite): SourceSite {
  const entry = findSourceMap(raw.file)?.findEntry(raw.line - 1, raw.column - 1) as
    | { originalSource?: string; originalLine?: number; originalColumn?: number }
    | undefined
  const source = entry?.originalSource
  if (source === undefined || entry?.originalLine === undefined) return { ...raw, file: asPath(raw.file) }
  return { file: asPath(source), line: entry.originalLine + 1, column: (entry.originalColumn ?? 0) + 1 }
}

function asPath(name: string): string {
  return name.startsWith('file://') ? fileURLToPath(name) : name
}

function firstUserFrame(frames: readonly SourceSite[], skipBuiltinRules: boolean): SourceSite | undefined {
  return frames.find((f) => isUserFile(f.file, skipBuiltinRules))
}

function isUserFile(file: string, skipBuiltinRules: boolean): boolean {
  if (!file.startsWith('/') || file.includes('/node_modules/')) return false
  return !isEngineFile(file) && !(skipBuiltinRules && file.startsWith(builtinRulesRoot))
}

const engineRoot = fileURLToPath(new URL('..', import.meta.url))
const builtinRulesRoot = fileURLToPath(new URL('../../rules/', import.meta.url))

function isEngineFile(file: string): boolean {
  return file.startsWith(engineRoot)
}

export function formatSite(site: SourceSite | undefined, root?: string): string {
  if (!site) return '<unknown>'
  const file = root && site.file.startsWith(`${root}/`) ? site.file.slice(root.length + 1) : site.file
  return `${file}:${site.line}`
}
