/** `coin pin T...`: keep the current outputs of every matching target through `coin gc`. */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Command } from 'commander'
import { UserError } from '../../errors.ts'
import { selectTargets } from '../../project.ts'
import { open } from '../options.ts'

export async function run(targets: string[], _opts: unknown, cmd: Command) {
  const p = await open(cmd)
  const ids = selectTargets(p.graph, targets, p.file)
  const states = ids.map((id) => ({ id, state: p.store.readOutState(id) }))
  const unbuilt = states.filter((s) => !s.state).map((s) => s.id)
  // All or nothing: a partly pinned glob would leave gc deleting what the user meant to keep.
  if (unbuilt.length)
    throw new UserError({
      message: `cannot pin what has not been built: ${unbuilt.slice(0, 5).join(', ')}${unbuilt.length > 5 ? `, … (${unbuilt.length})` : ''}`,
      key: unbuilt[0],
      fix: `coin build ${targets.join(' ')}, then pin`,
    })
  for (const { id, state } of states) {
    mkdirSync(dirname(p.layout.pin(id)), { recursive: true })
    writeFileSync(p.layout.pin(id), `${state!.key}\n`)
    process.stdout.write(`pinned ${id} (${state!.key})\n`)
  }
  return 0
}
