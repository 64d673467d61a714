/**
 * Commits a finished action's staging directory to the store: the log goes in as an object, the
 * outputs are hashed and moved into objects/, and the record is written last (Store.commit).
 * Shared by the build (local actions) and the `coin exec` worker (remote ones).
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ownHost } from '../cache/process.ts'
import { dropScratch } from '../cache/scratch.ts'
import type { ActionRecord, OutState, Store } from '../cache/store.ts'
import type { Action } from './action.ts'

interface CommitOptions {
  startedAt: Date
  executor: string
  logText: string
}

/** Commits only (the `coin exec` worker: the build that submitted the job materialises it). */
export async function commitAction(store: Store, action: Action, o: CommitOptions): Promise<ActionRecord> {
  const record = await store.commit(action.staging, meta(action, o), writeLog(action, o))
  // The output is in: the progress kept to resume it is of no further use.
  dropScratch(store.layout, action.key)
  return record
}

/** Commits and materialises `out/<id>.out` from the staged folder (a local action). */
export async function commitAndMaterializeAction(
  store: Store,
  action: Action,
  o: CommitOptions,
): Promise<{ record: ActionRecord; state: OutState }> {
  const done = await store.commitAndMaterialize(
    action.id,
    action.staging,
    meta(action, o),
    writeLog(action, o),
  )
  dropScratch(store.layout, action.key)
  return done
}

function writeLog(action: Action, o: CommitOptions): string | undefined {
  const logFile = o.logText ? join(action.staging, 'log') : undefined
  if (logFile) writeFileSync(logFile, o.logText)
  return logFile
}

const meta = (action: Action, o: CommitOptions) => ({
  key: action.key,
  keyData: action.keyData,
  rule: action.rule,
  target: action.id,
  startedAt: o.startedAt.toISOString(),
  durationMs: Date.now() - o.startedAt.getTime(),
  executor: o.executor,
  host: ownHost,
})
