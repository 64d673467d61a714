/**
 * `coin check`: type-checks the Coinfile with the project's TypeScript (when installed), then
 * loads it as a build would (option checks, params, graph, declared input files), running nothing.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import type { Command } from 'commander'
import pc from 'picocolors'
import { ExitCode } from '../../errors.ts'
import { globalOptions, openSelection } from '../options.ts'

/** The project's tsc (its node_modules), if TypeScript is installed there. */
function findTsc(root: string): string | undefined {
  try {
    const pkg = createRequire(join(root, 'package.json')).resolve('typescript/package.json')
    return join(dirname(pkg), 'bin', 'tsc')
  } catch {
    return undefined
  }
}

export async function run(opts: { set: string[] }, cmd: Command) {
  const file = resolve(globalOptions(cmd).file)
  const root = dirname(file)
  const tsc = findTsc(root)
  let typesOk = true
  if (!tsc)
    process.stderr.write(
      pc.yellow(
        'TypeScript is not installed in this project: types not checked (npm install -D typescript @types/node)\n',
      ),
    )
  else {
    // The project's tsconfig.json when it has one (coin init writes it), else strict NodeNext defaults.
    const args = existsSync(join(root, 'tsconfig.json'))
      ? ['-p', root]
      : [
          '--noEmit',
          '--strict',
          '--skipLibCheck',
          '--target',
          'es2022',
          '--module',
          'nodenext',
          '--moduleResolution',
          'nodenext',
          file,
        ]
    const r = spawnSync(process.execPath, [tsc, '--pretty', 'false', ...args], {
      cwd: root,
      encoding: 'utf8',
    })
    const out = `${r.stdout}${r.stderr}`.trim()
    typesOk = r.status === 0
    if (!typesOk) {
      process.stderr.write(`${out}\n`)
      if (/TS2591|TS2688/.test(out))
        process.stderr.write('fix: npm install -D @types/node (types for node: imports)\n')
    }
  }
  const { project } = await openSelection(cmd, [], opts.set)
  const n = project.graph.order.length
  if (!typesOk) {
    process.stderr.write(pc.red(`✗ ${file}: type errors (above); it loads, with ${n} targets\n`))
    return ExitCode.userError
  }
  process.stdout.write(
    `${pc.green('✓')} ${file}: ${tsc ? 'types ok, ' : ''}${n} targets, every declared input exists\n`,
  )
  return 0
}
