/** Read-only inspection: `coin list`, `coin graph`, `coin params`, `coin log`, `coin path`. */
import { existsSync, readFileSync } from 'node:fs'
import { relative } from 'node:path'
import type { Command } from 'commander'
import pc from 'picocolors'
import { formatSite } from '../../config/site.ts'
import { UserError } from '../../errors.ts'
import { toDot, toMermaid } from '../../graph/render.ts'
import { selectTargets } from '../../project.ts'
import { action } from '../errors.ts'
import { open, withSet } from '../options.ts'

export function register(program: Command): void {
  withSet(program.command('list').description('list target ids').argument('[targets...]', 'ids or globs'))
    .option('--json', 'one JSON object per target')
    .action(
      action(async (targets: string[], opts, cmd: Command) => {
        const p = await open(cmd, opts.set)
        for (const id of selectTargets(p.graph, targets, p.loaded.path)) {
          const n = p.graph.get(id)
          if (opts.json)
            process.stdout.write(
              `${JSON.stringify({ id, rule: n.decl.rule.name, deps: n.deps, declared: formatSite(n.decl.site, p.root) })}\n`,
            )
          else process.stdout.write(`${id}  ${pc.dim(n.decl.rule.name)}\n`)
        }
        return 0
      }),
    )

  withSet(
    program.command('graph').description('print the target graph').argument('[targets...]', 'ids or globs'),
  )
    .option('--format <fmt>', 'dot | mermaid', 'dot')
    .action(
      action(async (targets: string[], opts, cmd: Command) => {
        const p = await open(cmd, opts.set)
        const ids = p.graph.closure(selectTargets(p.graph, targets, p.loaded.path))
        if (opts.format !== 'dot' && opts.format !== 'mermaid')
          throw new UserError({
            message: `unknown graph format "${opts.format}"`,
            key: '--format',
            fix: 'use --format dot or --format mermaid',
          })
        process.stdout.write(opts.format === 'dot' ? toDot(p.graph, ids) : toMermaid(p.graph, ids))
        return 0
      }),
    )

  withSet(
    program.command('params').description('list every Coinfile param, its value and where it is declared'),
  )
    .option('--json', 'a JSON array')
    .action(
      action(async (opts, cmd: Command) => {
        const p = await open(cmd, opts.set)
        const file = relative(process.cwd(), p.loaded.path) || p.loaded.path
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
      }),
    )

  program
    .command('log')
    .description("print a target's log (the last attempt, failed or not)")
    .argument('<target>', 'target id')
    .action(
      action(async (target: string, _opts, cmd: Command) => {
        const p = await open(cmd)
        const [id] = selectTargets(p.graph, [target], p.loaded.path)
        const file = p.layout.log(id!)
        if (!existsSync(file)) {
          const state = p.store.readOutState(id!)
          if (!state)
            throw new UserError({
              message: `no log for ${id}: it has not run in this cache`,
              key: id,
              fix: `coin build ${id}`,
            })
          // Built (or restored) and silent: its record holds the log, if it printed anything.
          const rec = p.store.readRecord(state.key)
          if (rec?.log) process.stdout.write(readFileSync(p.layout.object(rec.log), 'utf8'))
          return 0
        }
        process.stdout.write(readFileSync(file, 'utf8'))
        return 0
      }),
    )

  program
    .command('path')
    .description("print where a target's output lives")
    .argument('<target>', 'target id')
    .action(
      action(async (target: string, _opts, cmd: Command) => {
        const p = await open(cmd)
        const [id] = selectTargets(p.graph, [target], p.loaded.path)
        const dir = p.layout.outDir(id!)
        if (!existsSync(dir))
          throw new UserError({
            message: `${id} has not been built in this cache`,
            key: id,
            fix: `coin build ${id}`,
          })
        process.stdout.write(`${dir}\n`)
        return 0
      }),
    )
}
