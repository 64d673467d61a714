/**
 * Commits a finished action's staging directory to the store: the log goes in as an object, the
 * outputs are hashed and moved into objects/, and the record is written last (Store.commit).
 * Shared by the build (local actions) and the `coin exec` worker (remote ones).
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ownHost } from '../cache/process.ts'
import { dropScratch } from '../cache/scratch.ts'
import type { ActionRecord, Store } from '../cache/store.ts'
import type { Action } from './action.ts'

export async function commitAction(
  store: Store,
  action: Action,
  o: { startedAt: Date; executor: string; logText: string },
): Promise<ActionRecord> {
  const logFile = o.logText ? join(action.staging, 'log') : undefined
  if (logFile) writeFileSync(logFile, o.logText)
  const record = await store.commit(
    action.staging,
    {
      key: action.key,
      keyData: action.keyData,
      rule: action.rule,
      target: action.id,
      startedAt: o.startedAt.toISOString(),
      durationMs: Date.now() - o.startedAt.getTime(),
      executor: o.executor,
      host: ownHost,
    },
    logFile,
  )
  // The output is in: the progress kept to resume it is of no further use.
  dropScratch(store.layout, action.key)
  return record
}
