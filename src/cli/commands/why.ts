/** `coin why T`: why T would run (the first differing key components), or that it is fresh. */
import type { Command } from 'commander'
import pc from 'picocolors'
import { formatSite } from '../../config/site.ts'
import { saveCaches } from '../../project.ts'
import { openSelection } from '../options.ts'
import { plannedEvent } from './status.ts'

export async function run(targets: string[], opts: { set: string[]; json?: boolean }, cmd: Command) {
  const { project, ids, closure } = await openSelection(cmd, targets, opts.set)
  const plan = await project.planner.plan(closure)
  await saveCaches(project)
  const overridden = project.paramEntries.filter((e) => e.overridden)
  for (const id of ids) {
    const d = plan.get(id)!
    const site = formatSite(project.graph.get(id).decl.site, project.root)
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(plannedEvent(project, id, d))}\n`)
      continue
    }
    if (d.status === 'fresh')
      process.stdout.write(`${id} ${pc.green('fresh')}: its key matches what is in cache/out\n`)
    else if (d.status === 'restorable')
      process.stdout.write(`${id} ${pc.cyan('would be restored from the run cache')}: ${d.reason}\n`)
    else if (d.status === 'run')
      process.stdout.write(`${id} ${pc.yellow('would run')}: ${d.reason} (declared at ${site})\n`)
    else process.stdout.write(`${id} ${pc.yellow('would run after upstream')}: ${d.reason}\n`)
  }
  if (!opts.json && overridden.length)
    process.stdout.write(
      pc.dim(
        `--set: ${overridden.map((e) => `${e.path} ${JSON.stringify(e.default)} → ${JSON.stringify(e.value)} (declared at ${formatSite({ file: project.file, line: e.line ?? 0, column: 0 }, project.root)})`).join('; ')}\n`,
      ),
    )
  return 0
}
