/** `coin params`: every Coinfile param, its value (after --set) and the line that declares it. */
import { relative } from 'node:path'
import type { Command } from 'commander'
import pc from 'picocolors'
import { open } from '../options.ts'

export async function run(opts: { set: string[]; json?: boolean }, cmd: Command) {
  const p = await open(cmd, opts.set)
  const file = relative(process.cwd(), p.file) || p.file
  const rows = p.paramEntries.map((e) => ({
    path: e.path,
    value: e.value,
    default: e.default,
    overridden: e.overridden,
    declared: e.line ? `${file}:${e.line}` : file,
  }))
  if (opts.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`)
  else
    for (const r of rows)
      process.stdout.write(
        `${r.path.padEnd(32)} ${JSON.stringify(r.value).padEnd(16)} ${pc.dim(r.declared)}${r.overridden ? pc.yellow(` (--set; default ${JSON.stringify(r.default)})`) : ''}\n`,
      )
  return 0
}
