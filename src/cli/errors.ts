/** How the CLI reports failure: diagnostics for user errors, "internal error" with a stack for bugs. */
import pc from 'picocolors'
import { ExitCode, formatDiagnostic, isDiskFull, UserError } from '../errors.ts'

export function reportError(err: unknown): number {
  if (err instanceof UserError) {
    process.stderr.write(`${pc.red(formatDiagnostic(err.diagnostic))}\n`)
    return err.exitCode
  }
  if (isDiskFull(err)) {
    // The machine's problem, not a bug: every cache write is atomic, so nothing half-written stays.
    const e = err as NodeJS.ErrnoException
    const diagnostic = formatDiagnostic({
      message: `no space left on device (${e.code}${e.syscall ? ` in ${e.syscall}` : ''}); the build stopped`,
      file: e.path,
      fix: 'free disk space (`coin gc` frees what the Coinfile no longer reaches) and run the command again; finished targets are cached, unfinished ones left no record',
    })
    process.stderr.write(`${pc.red(diagnostic)}\n`)
    return ExitCode.buildFailed
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
