/**
 * The contract between a results target and the run recorder: a target whose output holds
 * `results.json` produced results. The file is deterministic (a function of the target's inputs
 * and params, so it caches like any output); after the build, coin appends it to the results
 * database as a new run, with what only the build knows (time, git revision, --set, timings).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { UserError } from '../errors.ts'
import type { ExperimentRow, ScoreRow } from './types.ts'
import { validateResultsData } from './validate.ts'

export const RESULTS_SNAPSHOT_FILE = 'results.json'

export interface ResultsSnapshot {
  format: 1
  /** The report files to render for the run (`forgetting.<format>`). */
  formats: string[]
  experiments: ExperimentRow[]
  scores: ScoreRow[]
}

/** Reads and validates a target's snapshot; undefined when the directory holds none. */
export function readResultsSnapshot(dir: string, target: string): ResultsSnapshot | undefined {
  const path = join(dir, RESULTS_SNAPSHOT_FILE)
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
  let snapshot: ResultsSnapshot
  try {
    snapshot = JSON.parse(text) as ResultsSnapshot
  } catch (error) {
    throw new UserError({
      message: `the results snapshot of ${target} is not JSON: ${(error as Error).message}`,
      file: path,
      fix: `rebuild it: coin build ${target}`,
    })
  }
  if (snapshot?.format !== 1 || !Array.isArray(snapshot.scores) || !Array.isArray(snapshot.experiments)) {
    throw new UserError({
      message: `the results snapshot of ${target} has an unknown format`,
      file: path,
      fix: `rebuild it with this coin: coin build ${target}`,
    })
  }
  validateResultsData(target, snapshot)
  return snapshot
}
