/**
 * Where in the user's files something was declared. Captured from the stack when a rule, a target
 * or a Coinfile is created, so diagnostics and `coin params` can point at `Coinfile.ts:12`.
 */
import { fileURLToPath } from 'node:url'

export interface SourceSite {
  file: string
  line: number
  column: number
}

// `at fn (file:///a/b.ts:1:2)` or `at /a/b.ts:1:2`; not `node:internal/...` frames.
const FRAME = /(?:\(|at )((?:file:\/\/)?\/[^():]+):(\d+):(\d+)\)?$/

/** The first stack frame outside coin's own `src/` directory (where a rule is defined). */
export function callerSite(): SourceSite | undefined {
  return siteFromStack(new Error().stack, false)
}

/**
 * Captures the call stack now and resolves the user's frame only when asked. Formatting a stack
 * (through source maps) costs ~20 µs; a Coinfile of 10k targets would pay 200 ms on every no-op
 * for lines that only diagnostics read.
 */
export function lazyCallerSite(): () => SourceSite | undefined {
  const holder: { stack?: string } = {}
  // The user's frame is a few calls up (their targets() or a helper such as sequence()).
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 16
  Error.captureStackTrace(holder, lazyCallerSite)
  Error.stackTraceLimit = limit
  let site: SourceSite | undefined | null = null
  return () => {
    // Targets declared by coin's built-in helpers (sequence(), evaluate()) point at the user's call.
    if (site === null) site = siteFromStack(holder.stack, true) ?? siteFromStack(holder.stack, false)
    return site
  }
}

function siteFromStack(stackText: string | undefined, skipBuiltinRules: boolean): SourceSite | undefined {
  const stack = stackText?.split('\n').slice(1) ?? []
  for (const frame of stack) {
    const m = FRAME.exec(frame.trim())
    if (!m) continue
    const file = m[1]!.startsWith('file://') ? fileURLToPath(m[1]!) : m[1]!
    if (file.includes('/node_modules/') || file.startsWith('node:')) continue
    if (isEngineFile(file) || (skipBuiltinRules && file.startsWith(builtinRulesRoot))) continue
    return { file, line: Number(m[2]), column: Number(m[3]) }
  }
  return undefined
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
