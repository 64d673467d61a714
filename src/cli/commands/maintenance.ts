/** Cache maintenance: `coin gc`, `coin pin`, `coin unpin`, `coin clean` (never touches results/). */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Command } from 'commander'
import { collectGarbage, dirSize } from '../../cache/gc.ts'
import { validateId } from '../../config/analyze.ts'
import { UserError } from '../../errors.ts'
import { saveCaches, selectTargets } from '../../project.ts'
import { action } from '../errors.ts'
import { open } from '../options.ts'

const fmtBytes = (n: number) =>
  n < 1024
    ? `${n} B`
    : n < 2 ** 20
      ? `${(n / 1024).toFixed(1)} KiB`
      : n < 2 ** 30
        ? `${(n / 2 ** 20).toFixed(1)} MiB`
        : `${(n / 2 ** 30).toFixed(2)} GiB`

export function register(program: Command): void {
  program
    .command('gc')
    .description('delete cached work the current Coinfile no longer reaches (pinned targets are kept)')
    .option('-n, --dry-run', 'report what would be freed, delete nothing')
    .action(
      action(async (opts, cmd: Command) => {
        const p = await open(cmd)
        const plan = await p.planner.plan(p.graph.order)
        const current = [...plan.values()].flatMap((d) => ('fp' in d ? [d.fp.key] : []))
        const r = collectGarbage(p.store, p.layout, new Set(p.graph.order), current, !!opts.dryRun)
        const verb = opts.dryRun ? 'would free' : 'freed'
        process.stdout.write(
          `${verb} ${fmtBytes(r.bytesFreed)}: ${r.removedRecords} records, ${r.removedObjects} objects, ${r.removedOutputs} outputs of removed targets, ${r.removedLeftovers} leftovers of killed builds; kept ${r.keptRecords} records\n`,
        )
        await saveCaches(p)
        return 0
      }),
    )

  program
    .command('pin')
    .description("keep a target's current output through `coin gc`")
    .argument('<target>', 'target id')
    .action(
      action(async (target: string, _o, cmd: Command) => {
        const p = await open(cmd)
        const [id] = selectTargets(p.graph, [target], p.loaded.path)
        const state = p.store.readOutState(id!)
        if (!state)
          throw new UserError({ message: `${id} has not been built`, key: id, fix: `coin build ${id}` })
        mkdirSync(dirname(p.layout.pin(id!)), { recursive: true })
        writeFileSync(p.layout.pin(id!), `${state.key}\n`)
        process.stdout.write(`pinned ${id} (${state.key})\n`)
        return 0
      }),
    )

  program
    .command('unpin')
    .argument('<target>', 'target id')
    .description('undo coin pin')
    .action(
      action(async (target: string, _o, cmd: Command) => {
        const p = await open(cmd)
        // The id names a file under pins/: a malformed one ('../../x') must not reach rmSync.
        // Removed targets may still be pinned, so it need not be in the Coinfile.
        const id = validateId(target, () => undefined)
        const pin = p.layout.pin(id)
        if (!existsSync(pin)) {
          process.stdout.write(`${id} was not pinned\n`)
          return 0
        }
        rmSync(pin, { force: true })
        process.stdout.write(`unpinned ${id}\n`)
        return 0
      }),
    )

  program
    .command('clean')
    .description('remove the cache (cache/); results/ is never touched')
    .action(
      action(async (_o, cmd: Command) => {
        const p = await open(cmd)
        const dir = p.layout.root
        const bytes = dirSize(dir)
        if (existsSync(dir)) rmSync(dir, { recursive: true, force: true })
        process.stdout.write(`removed ${dir} (${fmtBytes(bytes)})\n`)
        return 0
      }),
    )
}
