/** How the CLI reports failure: diagnostics for user errors, "internal error" with a stack for bugs. */
import pc from 'picocolors'
import { ExitCode, formatDiagnostic, UserError } from '../errors.ts'

export function reportError(err: unknown): number {
  if (err instanceof UserError) {
    process.stderr.write(`${pc.red(formatDiagnostic(err.diagnostic))}\n`)
    return err.exitCode
  }
  const e = err as Error
  process.stderr.write(
    `${pc.red(`internal error: ${e?.message ?? String(err)}`)}\n${pc.dim(e?.stack ?? '')}\n`,
  )
  process.stderr.write('This is a bug in coin; please report it with the command you ran.\n')
  return ExitCode.internal
}

/** Wraps a command action: sets the exit code from its result or error, never throws. */
export function action<A extends unknown[]>(
  fn: (...args: A) => Promise<number | undefined> | number | undefined,
) {
  return async (...args: A) => {
    try {
      process.exitCode = (await fn(...args)) ?? 0
    } catch (err) {
      process.exitCode = reportError(err)
    }
  }
}
