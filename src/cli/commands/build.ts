/** `coin build [targets...]`: bring the selected targets (default: all) up to date. */

import { existsSync } from 'node:fs'
import type { Command } from 'commander'
import { ExitCode } from '../../errors.ts'
import { checkStamp, stampFile, type UpToDate } from '../../plan/up-to-date.ts'
import { resultsDatabasePath } from '../../results/database.ts'
import type { SlurmCliOptions } from '../executors.ts'
import { locate } from '../options.ts'
import { createReporter } from '../reporter.ts'

// A no-op answered by the up-to-date stamp loads only this file's imports; a build with work (or
// a dry run) imports the engine from build-with-engine.ts. Every module loaded is start-up time.

/** Every selected target is fresh by the up-to-date stamp: the events a no-op build would emit. */
function reportUpToDate(fresh: UpToDate, targets: string[], opts: BuildOptions): number {
  const started = Date.now()
  const what = targets.length ? targets.join(' ') : 'all targets'
  const reporter = createReporter(opts.json ? 'json' : process.stdout.isTTY ? 'tty' : 'plain', what)
  reporter({ event: 'plan', targets: fresh.targets.length, selected: fresh.selected })
  for (const t of fresh.targets)
    reporter({
      event: 'target',
      id: t.id,
      outcome: 'fresh',
      durationMs: 0,
      key: t.key,
      published: t.published,
    })
  const counts = { fresh: fresh.targets.length, restored: 0, ran: 0, failed: 0, skipped: 0 }
  reporter({ event: 'done', ok: true, counts, durationMs: Date.now() - started, interrupted: false })
  reporter.close()
  return ExitCode.ok
}

export interface BuildOptions extends SlurmCliOptions {
  set: string[]
  jobs: string
  gpus?: string
  mem: string
  keepGoing?: boolean
  dryRun?: boolean
  json?: boolean
}

export async function run(targets: string[], opts: BuildOptions, cmd: Command): Promise<number> {
  const where = await locate(cmd, opts.set)
  const stamp = where.graphKey ? stampFile(where.layout, where.graphKey, targets) : undefined
  // A named build also recreates a deleted results database (see results-targets.ts): not a no-op.
  const recordsRun = targets.length > 0 && !existsSync(resultsDatabasePath(where.root))
  if (!opts.dryRun && !recordsRun && stamp && where.graphKey) {
    const fresh = checkStamp(stamp, where.graphKey, where.root)
    if (fresh) return reportUpToDate(fresh, targets, opts)
  }
  return (await import('./build-with-engine.ts')).buildWithEngine(targets, opts, cmd, where, stamp)
}
