/**
 * Is the process that left a lock, staging folder or temp file still running? On the same host a
 * PID answers that, and the process's start time (Linux: /proc/<pid>/stat) tells a live holder
 * from an unrelated process that got the PID later.
 */

import { readFileSync } from 'node:fs'
import { hostname } from 'node:os'

export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The process's start time in clock ticks since boot, or undefined where /proc is not there. */
export function processStart(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Field 22; fields 3.. follow the command name, which is in parentheses and may hold spaces.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const start = Number(rest[19])
    return Number.isFinite(start) ? start : undefined
  } catch {
    return undefined
  }
}

/** True while the process `pid` that started at `start` (when known) is still running. */
export function holderAlive(pid: number, start: number | undefined): boolean {
  if (!processAlive(pid)) return false
  if (start === undefined) return true
  const now = processStart(pid)
  return now === undefined || now === start
}

export const ownStart = processStart(process.pid)

/** This machine's name, asked once: locks and records need it for every target. */
export const ownHost = hostname()
