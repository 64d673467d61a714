/**
 * The worker's side channel: `coin exec <dir>/action.json` appends its events as JSON lines to
 * `<dir>/action.events.jsonl`, which the submitting coin reads on each poll (progress, log lines)
 * and at the end (the result, with its diagnostic). Lines are appended whole, so a reader only
 * has to ignore a trailing partial line.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs'
import type { Progress } from '../config/define.ts'
import type { ActionResult } from './action.ts'

export type WorkerEvent =
  | { event: 'started'; at: number; host: string; pid: number; jobId?: string }
  | { event: 'log'; line: string }
  | { event: 'progress'; progress: Progress }
  | { event: 'result'; at: number; result: ActionResult; reused?: boolean }

export function eventsPathOf(actionPath: string): string {
  return `${actionPath.replace(/\.json$/, '')}.events.jsonl`
}

/** Reads the events appended since `offset`; returns them and the offset to continue from. */
export function readEventsSince(path: string, offset: number): { events: WorkerEvent[]; offset: number } {
  let size: number
  try {
    size = statSync(path).size
  } catch {
    return { events: [], offset }
  }
  if (size <= offset) return { events: [], offset }
  const buf = Buffer.alloc(size - offset)
  const fd = openSync(path, 'r')
  try {
    readSync(fd, buf, 0, buf.length, offset)
  } finally {
    closeSync(fd)
  }
  const text = buf.toString('utf8')
  const end = text.lastIndexOf('\n')
  if (end < 0) return { events: [], offset }
  const events: WorkerEvent[] = []
  for (const line of text.slice(0, end).split('\n')) {
    if (!line) continue
    try {
      events.push(JSON.parse(line) as WorkerEvent)
    } catch {
      // A line that is not JSON (never written by coin) is ignored rather than fatal.
    }
  }
  return { events, offset: offset + Buffer.byteLength(text.slice(0, end + 1)) }
}
