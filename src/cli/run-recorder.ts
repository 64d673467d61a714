/**
 * After a build: when a results target (one whose output holds `results.json`) was built or
 * restored, append a run to `results/coin.duckdb` and render the reports of that run into
 * `results/`. Only the build knows what a run is (when, which git revision, which --set, how each
 * target came to be), so this runs here, outside every target, and never on a no-op build (which
 * must not load DuckDB): a build where the results were already up to date records nothing,
 * unless the database is missing.
 */
import { hostname } from 'node:os'
import { relative } from 'node:path'
import { renderForgettingReport } from '../../rules/reports/index.ts'
import { UserError } from '../errors.ts'
import {
  type ActionRow,
  type ExperimentRow,
  type RecordSummary,
  type ResultsSnapshot,
  type RunTargetRow,
  readResultsSnapshot,
  readTrainLog,
  recordRun,
  resultsDatabasePath,
  resultsDirectory,
  type ScoreRow,
  type TrainLogRow,
} from '../results/index.ts'
import { coinfileDigest, gitState } from '../results/provenance.ts'
import type { RunContext } from './results-targets.ts'

export interface RecordedRun extends RecordSummary {
  database: string
  reports: string[]
}

/** Records the run of `targets` (from findResultsTargets) and renders its reports. */
export async function recordBuildRun(
  ctx: RunContext,
  targets: { id: string; key: string }[],
): Promise<RecordedRun | undefined> {
  const { project } = ctx
  const database = resultsDatabasePath(project.root)
  const results: { id: string; key: string; snapshot: ResultsSnapshot }[] = []
  for (const { id, key } of targets) {
    const snapshot = readResultsSnapshot(project.layout.outDir(id), id)
    if (snapshot) results.push({ id, key, snapshot })
  }
  if (results.length === 0) return undefined
  const { scores, experiments } = mergeSnapshots(results)
  const actions: ActionRow[] = []
  const runTargets: RunTargetRow[] = []
  const trainLog: TrainLogRow[] = []
  for (const id of ctx.closure) {
    const state = project.store.readOutState(id)
    if (!state) continue
    runTargets.push({ target: id, key: state.key, outcome: ctx.outcomes.get(id) ?? null })
    const record = project.store.readRecord(state.key)
    if (record) {
      const finished = new Date(Date.parse(record.startedAt) + record.durationMs)
      actions.push({
        key: record.key,
        target: record.target,
        rule: record.rule,
        params: record.keyData.params,
        started_at: record.startedAt,
        finished_at: Number.isNaN(finished.getTime()) ? null : finished.toISOString(),
        duration_ms: record.durationMs,
        executor: record.executor,
        host: record.host,
      })
    }
    trainLog.push(...readTrainLog(project.layout.outDir(id), state.key, id))
  }
  const git = gitState(project.root)
  const summary = await recordRun(
    database,
    { scores, experiments, actions, run_targets: runTargets, train_log: trainLog },
    {
      started_at: ctx.startedAt.toISOString(),
      finished_at: ctx.finishedAt.toISOString(),
      git_rev: git.rev,
      git_dirty: git.dirty,
      coinfile: relative(project.root, project.file),
      coinfile_digest: await coinfileDigest(project),
      params: project.params,
      overrides: [...ctx.sets],
      host: hostname(),
      targets: [...ctx.selected],
      results_target: results.map((r) => r.id).join(', '),
      results_key: results.map((r) => r.key).join(', '),
    },
  )
  const formats = [...new Set(results.flatMap((r) => r.snapshot.formats))]
  const reports = await renderForgettingReport(database, resultsDirectory(project.root), {
    formats: formats as Parameters<typeof renderForgettingReport>[2]['formats'],
  })
  return { ...summary, database, reports: reports.map((path) => relative(project.root, path)) }
}

/**
 * One run holds every results target of the build. Two targets may list the same experiment
 * (identical, or they would disagree about its task order) and the same cell (the same score
 * target, or they would disagree about its value).
 */
function mergeSnapshots(results: { id: string; snapshot: ResultsSnapshot }[]): {
  scores: ScoreRow[]
  experiments: ExperimentRow[]
} {
  const experiments = new Map<string, { row: ExperimentRow; from: string }>()
  const cells = new Map<string, { row: ScoreRow; from: string }>()
  for (const { id, snapshot } of results) {
    for (const row of snapshot.experiments) {
      const seen = experiments.get(row.experiment)
      if (seen && JSON.stringify(seen.row) !== JSON.stringify(row))
        throw conflict(`experiment '${row.experiment}'`, seen.from, id)
      experiments.set(row.experiment, { row, from: id })
    }
    for (const row of snapshot.scores) {
      const cell = `${row.experiment}/${row.stage}/${row.eval_task}/${row.metric}`
      const seen = cells.get(cell)
      if (seen && seen.row.key !== row.key) throw conflict(`cell ${cell}`, seen.from, id)
      cells.set(cell, { row, from: id })
    }
  }
  return {
    experiments: [...experiments.values()].map((e) => e.row),
    scores: [...cells.values()].map((c) => c.row),
  }
}

function conflict(what: string, first: string, second: string): UserError {
  return new UserError({
    message: `results targets ${first} and ${second} disagree about ${what}`,
    key: what,
    fix: 'give the experiments of different results targets different names',
  })
}
