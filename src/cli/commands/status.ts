/** `coin status` and `coin build --dry-run`: what each target is (fresh, restorable, must run) and why. */
import type { Command } from 'commander'
import pc from 'picocolors'
import { formatSite } from '../../config/site.ts'
import type { PlanEvent, PlannedOutcome } from '../../events.ts'
import type { Decision } from '../../plan/planner.ts'
import { type Project, saveCaches } from '../../project.ts'
import { openSelection } from '../options.ts'

const label: Record<PlannedOutcome, string> = {
  fresh: 'fresh',
  restore: 'restore',
  run: 'run',
  pending: 'run?',
}

/** A plan decision as the shared `target` event (`planned: true`) of events.ts. */
export function plannedEvent(project: Project, id: string, d: Decision): PlanEvent {
  const outcome: PlannedOutcome = d.status === 'restorable' ? 'restore' : d.status
  return {
    event: 'target',
    planned: true,
    id,
    outcome,
    key: 'fp' in d ? d.fp.key : undefined,
    reason: 'reason' in d ? d.reason : undefined,
    upstream: d.status === 'pending' ? d.upstream : undefined,
    declared: formatSite(project.graph.get(id).decl.site, project.root),
  }
}

export async function printPlan(
  project: Project,
  ids: readonly string[],
  o: { json: boolean; verb: string },
) {
  const plan = await project.planner.plan(ids)
  // What planning learned (file digests, the analysed graph) makes the next command faster.
  await saveCaches(project)
  const counts: Record<PlannedOutcome, number> = { fresh: 0, restore: 0, run: 0, pending: 0 }
  for (const id of ids) {
    const e = plannedEvent(project, id, plan.get(id)!)
    if (e.event !== 'target') continue
    counts[e.outcome]++
    if (o.json) process.stdout.write(`${JSON.stringify(e)}\n`)
    else if (e.outcome !== 'fresh') {
      const color = e.outcome === 'restore' ? pc.cyan : pc.yellow
      process.stdout.write(
        `  ${id.padEnd(36)} ${color(label[e.outcome].padEnd(8))} ${pc.dim(e.reason ?? '')}\n`,
      )
    }
  }
  if (o.json) process.stdout.write(`${JSON.stringify({ event: 'done', planned: true, ok: true, counts })}\n`)
  else {
    const parts = Object.entries(counts)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${n} ${k === 'pending' ? 'pending upstream' : k === 'restore' ? 'restorable' : k}`)
    process.stdout.write(`${ids.length} targets: ${parts.join(', ')}\n`)
  }
  return 0
}

export async function run(targets: string[], opts: { set: string[]; json?: boolean }, cmd: Command) {
  const { project, closure } = await openSelection(cmd, targets, opts.set)
  return printPlan(project, closure, { json: !!opts.json, verb: 'is' })
}
