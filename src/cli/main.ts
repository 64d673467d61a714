/**
 * The `coin` command line: a thin layer that parses arguments and calls the engine. The commands
 * are declared in program.ts; each one's module loads only when it runs.
 */
import { reportError } from './errors.ts'
import { createProgram } from './program.ts'

// `coin list | head -1`: the reader went away; stop quietly, as Unix tools do.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw err
  })

try {
  await createProgram().parseAsync(process.argv)
} catch (err) {
  process.exitCode = reportError(err)
}
