/** `coin unpin T...`: undo `coin pin` for every matching pinned target. */
import { existsSync, rmSync } from 'node:fs'
import type { Command } from 'commander'
import { validateId } from '../../config/analyze.ts'
import { UserError } from '../../errors.ts'
import { isPattern } from '../../graph/graph.ts'
import { selectTargets } from '../../project.ts'
import { open } from '../options.ts'

export async function run(targets: string[], _opts: unknown, cmd: Command) {
  const p = await open(cmd)
  const ids: string[] = []
  for (const t of targets) {
    // A pinned target the Coinfile no longer declares can still be unpinned by its exact id (a
    // well-formed one: the id names a file under pins/, so '../../x' must not reach rmSync).
    if (!p.graph.nodes.has(t) && !isPattern(t) && existsSync(p.layout.pin(validateId(t, () => undefined))))
      ids.push(t)
    else ids.push(...selectTargets(p.graph, [t], p.file))
  }
  const pinned = ids.filter((id) => existsSync(p.layout.pin(id)))
  if (pinned.length === 0)
    throw new UserError({
      message:
        ids.length === 1
          ? `${ids[0]} is not pinned`
          : `none of the ${ids.length} targets matching ${targets.join(' ')} is pinned`,
      key: targets[0],
      fix: 'coin pin T pins a target; ls cache/pins lists what is pinned',
    })
  for (const id of pinned) {
    rmSync(p.layout.pin(id), { force: true })
    process.stdout.write(`unpinned ${id}\n`)
  }
  return 0
}
