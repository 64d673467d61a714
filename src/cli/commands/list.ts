/** `coin list [targets...]`: the target ids (and their rules). */
import type { Command } from 'commander'
import pc from 'picocolors'
import { formatSite } from '../../config/site.ts'
import { selectTargets } from '../../project.ts'
import { open } from '../options.ts'

export async function run(targets: string[], opts: { set: string[]; json?: boolean }, cmd: Command) {
  const p = await open(cmd, opts.set)
  for (const id of selectTargets(p.graph, targets, p.file)) {
    const n = p.graph.get(id)
    if (opts.json)
      process.stdout.write(
        `${JSON.stringify({ id, rule: n.decl.rule.name, deps: n.deps, declared: formatSite(n.decl.site, p.root) })}\n`,
      )
    else process.stdout.write(`${id}  ${pc.dim(n.decl.rule.name)}\n`)
  }
  return 0
}
