/** `coin status` and `coin build --dry-run`: what each target is (fresh, restorable, must run) and why. */
import type { Command } from 'commander'
import pc from 'picocolors'
import type { Decision } from '../../plan/planner.ts'
import type { Project } from '../../project.ts'
import { action } from '../errors.ts'
import { openSelection, withSet } from '../options.ts'

const label: Record<Decision['status'], string> = {
  fresh: 'fresh',
  restorable: 'restore',
  run: 'run',
  pending: 'run?',
}

export async function printPlan(
  project: Project,
  ids: readonly string[],
  o: { json: boolean; verb: string },
) {
  const plan = await project.planner.plan(ids)
  const counts: Record<string, number> = { fresh: 0, restorable: 0, run: 0, pending: 0 }
  for (const id of ids) {
    const d = plan.get(id)!
    counts[d.status]!++
    const key = 'fp' in d ? d.fp.key : undefined
    const reason = 'reason' in d ? d.reason : undefined
    if (o.json) process.stdout.write(`${JSON.stringify({ id, status: d.status, key, reason })}\n`)
    else if (d.status !== 'fresh') {
      const color = d.status === 'restorable' ? pc.cyan : pc.yellow
      process.stdout.write(`  ${id.padEnd(36)} ${color(label[d.status].padEnd(8))} ${pc.dim(reason ?? '')}\n`)
    }
  }
  if (!o.json) {
    const parts = Object.entries(counts)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${n} ${k === 'pending' ? 'pending upstream' : k}`)
    process.stdout.write(`${ids.length} targets: ${parts.join(', ')}\n`)
  }
  return 0
}

export function register(program: Command): void {
  withSet(
    program
      .command('status')
      .description('show which targets are fresh, restorable from the cache, or must run')
      .argument('[targets...]', 'target ids or globs (default: all)'),
  )
    .option('--json', 'one JSON object per target')
    .action(
      action(async (targets: string[], opts, cmd: Command) => {
        const { project, closure } = await openSelection(cmd, targets, opts.set)
        return printPlan(project, closure, { json: !!opts.json, verb: 'is' })
      }),
    )
}
