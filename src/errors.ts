/**
 * User mistakes are data, not crashes: a `UserError` carries where the problem is (file, line,
 * key), what is wrong and how to fix it. The CLI prints it without a stack trace and exits with
 * `exitCode`. Anything else that escapes is a bug and is printed as "internal error".
 */
export interface Diagnostic {
  /** One sentence: what is wrong. */
  message: string
  /** The file the problem is in (a Coinfile, a dataset file, a CSV...). */
  file?: string
  /** 1-based line in `file`, when known. */
  line?: number
  /** The key, param path, target id, record index or JSON pointer involved. */
  key?: string
  /** What the user should do about it. */
  fix?: string
}

/** Documented exit codes (README "Exit codes"). */
export const ExitCode = {
  ok: 0,
  /** A target failed while running. */
  buildFailed: 1,
  /** Bad input: Coinfile, params, CLI arguments, data files. Nothing was run or cached. */
  userError: 2,
  /** Interrupted by SIGINT/SIGTERM. */
  interrupted: 130,
  /** A bug in coin. */
  internal: 70,
} as const

const USER_ERROR = Symbol.for('coin.UserError')

export class UserError extends Error {
  readonly diagnostic: Diagnostic
  readonly exitCode: number
  constructor(diagnostic: Diagnostic, exitCode: number = ExitCode.userError) {
    super(diagnostic.message)
    this.name = 'UserError'
    this.diagnostic = diagnostic
    this.exitCode = exitCode
    Object.defineProperty(this, USER_ERROR, { value: true })
  }

  /**
   * A Coinfile may reach coin through another copy of this module (its loader keeps its own module
   * instances), so `instanceof UserError` recognises any copy's UserError by a registered symbol.
   */
  static override [Symbol.hasInstance](x: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class tested against (a subclass keeps plain instanceof)
    if (this !== UserError) return Function.prototype[Symbol.hasInstance].call(this, x)
    return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[USER_ERROR] === true
  }
}

/** Formats a diagnostic the way the CLI prints it: `file:line: message` then key and fix lines. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.file ? `${d.file}${d.line ? `:${d.line}` : ''}: ` : ''
  const lines = [`error: ${where}${d.message}`]
  if (d.key) lines.push(`  key: ${d.key}`)
  if (d.fix) lines.push(`  fix: ${d.fix}`)
  return lines.join('\n')
}

export function internalError(message: string): Error {
  return new Error(`internal error: ${message}`)
}

/** A full disk or exhausted quota: the machine's problem, not coin's nor the Coinfile's. */
export function isDiskFull(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  return code === 'ENOSPC' || code === 'EDQUOT'
}
