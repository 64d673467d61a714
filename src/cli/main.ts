/**
 * The `coin` command line: a thin layer that parses arguments and calls the engine. Each command
 * lives in its own module under commands/ and registers itself here.
 */
import { Command } from 'commander'
import { register as build } from './commands/build.ts'
import { register as diff } from './commands/diff.ts'
import { register as exec } from './commands/exec.ts'
import { register as inspect } from './commands/inspect.ts'
import { register as maintenance } from './commands/maintenance.ts'
import { register as metrics } from './commands/metrics.ts'
import { register as query } from './commands/query.ts'
import { register as score } from './commands/score.ts'
import { register as show } from './commands/show.ts'
import { register as status } from './commands/status.ts'
import { register as why } from './commands/why.ts'
import { reportError } from './errors.ts'

const program = new Command()
  .name('coin')
  .description('A declarative build system for continual-learning experiments')
  .option('-f, --file <path>', 'the Coinfile to use', 'Coinfile.ts')
  .option('--cache <dir>', 'cache directory (default: <Coinfile dir>/cache)')
  .showHelpAfterError()
  .exitOverride((err) => {
    // Commander's own usage errors (unknown option, missing argument) are user errors: exit 2.
    process.exit(err.exitCode === 0 ? 0 : 2)
  })

for (const register of [build, status, why, inspect, maintenance, score, metrics, query, exec, show, diff])
  register(program)

try {
  await program.parseAsync(process.argv)
} catch (err) {
  process.exitCode = reportError(err)
}
