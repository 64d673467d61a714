/** Which targets of a finished build produced results (cheap: run after every build). */
import { existsSync } from 'node:fs'
import type { Outcome } from '../events.ts'
import type { Project } from '../project.ts'
import { resultsDatabasePath } from '../results/database.ts'
import { RESULTS_SNAPSHOT_FILE } from '../results/snapshot.ts'

export interface RunContext {
  project: Project
  /** The targets the build was asked for, and everything they depend on. */
  selected: readonly string[]
  closure: readonly string[]
  outcomes: ReadonlyMap<string, Outcome>
  sets: readonly string[]
  /** Whether the user named targets (`coin build results/forgetting`) rather than building all. */
  named: boolean
  startedAt: Date
  finishedAt: Date
}

/**
 * The results targets this build produced (ran or restored). When the database does not exist,
 * also the results targets the user named that were already up to date, so
 * `coin build results/forgetting` recreates a deleted database. Reads only out-state manifests
 * (no output file), and on a no-op build of unnamed targets not even those: one stat per target
 * is measurable at 10k targets.
 */
export function findResultsTargets(ctx: RunContext): { id: string; key: string }[] {
  const { project } = ctx
  const candidates = ctx.closure.filter((id) => {
    const outcome = ctx.outcomes.get(id)
    return outcome === 'ran' || outcome === 'restored'
  })
  if (ctx.named && !existsSync(resultsDatabasePath(project.root)))
    candidates.push(...ctx.selected.filter((id) => ctx.outcomes.get(id) === 'fresh'))
  const found: { id: string; key: string }[] = []
  for (const id of candidates) {
    const state = project.store.readOutState(id)
    if (state?.files.some((f) => f.path === RESULTS_SNAPSHOT_FILE)) found.push({ id, key: state.key })
  }
  return found
}
