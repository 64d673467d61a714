/** `coin graph [targets...] --format dot|mermaid`: the graph of the selection and its dependencies. */
import type { Command } from 'commander'
import { toDot, toMermaid } from '../../graph/render.ts'
import { selectTargets } from '../../project.ts'
import { open } from '../options.ts'

export async function run(
  targets: string[],
  opts: { set: string[]; format: 'dot' | 'mermaid' },
  cmd: Command,
) {
  const p = await open(cmd, opts.set)
  const ids = p.graph.closure(selectTargets(p.graph, targets, p.file))
  process.stdout.write(opts.format === 'mermaid' ? toMermaid(p.graph, ids) : toDot(p.graph, ids))
  return 0
}
