/** `coin build` with work to do (or a dry run): opens the project and runs the Builder. */

import { relative } from 'node:path'
import type { Command } from 'commander'
import { Builder } from '../../build.ts'
import { ExitCode, formatDiagnostic, isDiskFull } from '../../errors.ts'
import type { Outcome } from '../../events.ts'
import { detectGpus } from '../../exec/gpus.ts'
import { ResourcePool } from '../../exec/resources.ts'
import { writeStamp } from '../../plan/up-to-date.ts'
import { saveCaches } from '../../project.ts'
import type { ProjectLocation } from '../../project-location.ts'
import { chooseExecutors } from '../executors.ts'
import { openSelection } from '../options.ts'
import { createReporter } from '../reporter.ts'
import { findResultsTargets } from '../results-targets.ts'
import type { BuildOptions } from './build.ts'
import { printPlan } from './status.ts'

export async function buildWithEngine(
  targets: string[],
  opts: BuildOptions,
  cmd: Command,
  where: ProjectLocation,
  stamp: string | undefined,
): Promise<number> {
  const { project, ids, closure } = await openSelection(cmd, targets, opts.set, where)
  if (opts.dryRun) return printPlan(project, closure, { json: !!opts.json, verb: 'would' })
  const executors = await chooseExecutors(project, closure, opts)
  const controller = new AbortController()
  let signals = 0
  const onSignal = (sig: NodeJS.Signals) => {
    signals++
    if (signals > 1) process.exit(ExitCode.interrupted)
    controller.abort(new Error(`received ${sig}`))
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  const what = targets.length ? targets.join(' ') : 'all targets'
  const outcomes = new Map<string, Outcome>()
  const startedAt = new Date()
  const builder = new Builder({
    graph: project.graph,
    targets: ids,
    root: project.root,
    layout: project.layout,
    store: project.store,
    planner: project.planner,
    pool: new ResourcePool(Math.max(1, Number(opts.jobs)), detectGpus(opts.gpus), Number(opts.mem)),
    executor: executors.local,
    executorFor: executors.executorFor,
    coinfile: project.file,
    sets: opts.set,
    keepGoing: !!opts.keepGoing,
    emit: (e) => {
      if (e.event === 'target') outcomes.set(e.id, e.outcome)
      reporter(e)
    },
    signal: controller.signal,
  })
  const reporter = createReporter(
    opts.json ? 'json' : process.stdout.isTTY ? 'tty' : 'plain',
    what,
    undefined,
    {
      remaining: (now) => builder.remaining(now)?.ms,
    },
  )
  try {
    const summary = await builder.build()
    reporter.close()
    if (summary.userError) process.stderr.write(`${formatDiagnostic(summary.userError.diagnostic)}\n`)
    if (summary.interrupted) {
      // Cancelled in-process work may still hold timers; nothing of it is recorded: leave now.
      await saveCaches(project)
      process.exit(ExitCode.interrupted)
    }
    if (summary.userError) return ExitCode.userError
    if (summary.ok && stamp && where.graphKey)
      try {
        writeStamp(stamp, where.graphKey, {
          selected: ids,
          ids: closure,
          fingerprints: summary.fingerprints,
          store: project.store,
          layout: project.layout,
          root: project.root,
        })
      } catch (err) {
        if (!isDiskFull(err)) throw err // a full disk only costs the next no-op its shortcut
      }
    const context = {
      project,
      selected: ids,
      closure,
      outcomes,
      sets: opts.set,
      named: targets.length > 0,
      startedAt,
      finishedAt: new Date(),
    }
    const produced = findResultsTargets(context)
    // Recording loads DuckDB and the renderers: only when there is a run to record.
    const run = produced.length
      ? await (await import('../run-recorder.ts')).recordBuildRun(context, produced)
      : undefined
    if (run) {
      const line = opts.json
        ? JSON.stringify({
            event: 'run',
            run_id: run.run_id,
            database: run.database,
            reports: run.reports,
          })
        : `recorded run ${run.run_id} (${run.scores} scores, ${run.new_score_values} new) → ${[
            relative(project.root, run.database),
            ...run.reports,
          ].join(', ')}`
      process.stdout.write(`${line}\n`)
    }
    return summary.ok ? ExitCode.ok : ExitCode.buildFailed
  } finally {
    reporter.close()
    await saveCaches(project)
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}
