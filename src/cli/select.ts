/** Target selection for commands that act on exactly one target (log, path). */
import { UserError } from '../errors.ts'
import { type Project, selectTargets } from '../project.ts'

/** The one target `pattern` names; a glob or prefix matching several is refused, listing them. */
export function selectOne(p: Project, pattern: string, command: string): string {
  const ids = selectTargets(p.graph, [pattern], p.file)
  if (ids.length === 1) return ids[0]!
  const shown = ids.slice(0, 5).join(', ')
  throw new UserError({
    message: `coin ${command} takes one target, and "${pattern}" matches ${ids.length}: ${shown}${ids.length > 5 ? ', …' : ''}`,
    key: pattern,
    fix: `name one target, e.g. coin ${command} ${ids[0]}`,
  })
}
