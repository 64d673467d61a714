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
  startedAt: Date
  finishedAt: Date
}

/**
 * The results targets this build produced (ran or restored), or every results target of the
 * closure when the database does not exist yet. Reads only the out-state manifests (no output
 * file), so a no-op build pays a few stats, and loads neither DuckDB nor the report renderers.
 */
export function findResultsTargets(ctx: RunContext): { id: string; key: string }[] {
  const { project } = ctx
  const missing = !existsSync(resultsDatabasePath(project.root))
  const found: { id: string; key: string }[] = []
  for (const id of ctx.closure) {
    const outcome = ctx.outcomes.get(id)
    if (!(outcome === 'ran' || outcome === 'restored' || (missing && outcome === 'fresh'))) continue
    const state = project.store.readOutState(id)
    if (state?.files.some((f) => f.path === RESULTS_SNAPSHOT_FILE)) found.push({ id, key: state.key })
  }
  return found
}
