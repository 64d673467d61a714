/**
 * Writes CoIN-mini to a directory:
 *   npx tsx datasets/coin-mini/generate-cli.ts --out <dir> --seed 0 [--train 600] [--test 150] [--tasks gqa,vqav2]
 * A thin shell over generateCoinMini; bad arguments print a diagnostic and exit with code 2.
 */
import { parseArgs } from 'node:util'
import { formatDiagnostic, UserError } from '../../src/errors.ts'
import { generateCoinMini } from './generate.ts'

function integer(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value)) {
    throw new UserError({
      message: `--${flag} must be a whole number, got "${value}"`,
      key: `--${flag}`,
      fix: `e.g. --${flag} ${flag === 'seed' ? 0 : 100}`,
    })
  }
  return Number(value)
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      seed: { type: 'string' },
      train: { type: 'string' },
      test: { type: 'string' },
      tasks: { type: 'string' },
    },
    strict: true,
  })
  if (!values.out)
    throw new UserError({ message: 'missing --out <dir>', key: '--out', fix: 'name the output directory' })
  const seed = integer('seed', values.seed)
  if (seed === undefined)
    throw new UserError({ message: 'missing --seed <n>', key: '--seed', fix: 'e.g. --seed 0' })
  const started = performance.now()
  const result = await generateCoinMini(values.out, {
    seed,
    train: integer('train', values.train),
    test: integer('test', values.test),
    tasks: values.tasks?.split(',').map((t) => t.trim()),
  })
  const seconds = ((performance.now() - started) / 1000).toFixed(2)
  for (const t of result.tasks) console.log(`${t.dir.padEnd(10)} train ${t.train}  test ${t.test}`)
  console.log(`wrote CoIN-mini (seed ${seed}) to ${values.out} in ${seconds}s`)
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UserError) {
    console.error(formatDiagnostic(err.diagnostic))
    process.exit(err.exitCode)
  }
  if (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')) {
    console.error(`error: ${err.message}`)
    process.exit(2)
  }
  throw err
})
