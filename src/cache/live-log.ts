/**
 * A target's last-attempt log (`cache/logs/<id>.log`), written line by line while the target runs,
 * so `coin log T --attempt last` shows what it has printed so far and `coin log -f T` follows it.
 * `<log>.running` holds the writer's PID while the attempt runs. The file is opened on the first
 * line: a silent target costs one unlink (the previous attempt's log), nothing more.
 */
import { closeSync, existsSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { isDiskFull } from '../errors.ts'
import { inDir, removeFile } from './fs-ops.ts'

export const runningMarker = (logPath: string) => `${logPath}.running`

export class LiveLog {
  #fd: number | undefined
  #failed = false
  readonly path: string

  constructor(path: string) {
    this.path = path
    removeFile(path)
  }

  write(line: string): void {
    if (this.#failed) return
    try {
      if (this.#fd === undefined) {
        this.#fd = inDir(dirname(this.path), () => openSync(this.path, 'w'))
        writeFileSync(runningMarker(this.path), `${process.pid}\n`)
      }
      writeSync(this.#fd, `${line}\n`)
    } catch (err) {
      // A convenience copy (the record keeps the log): on a full disk, drop it and carry on.
      if (!isDiskFull(err)) throw err
      this.#failed = true
      this.close()
      removeFile(this.path)
    }
  }

  close(): void {
    if (this.#fd === undefined) return
    closeSync(this.#fd)
    this.#fd = undefined
    removeFile(runningMarker(this.path))
  }
}

/** Whether an attempt is writing `logPath` now (its marker names a live process). */
export function isLogLive(logPath: string): boolean {
  const marker = runningMarker(logPath)
  if (!existsSync(marker)) return false
  const pid = Number(readFileSync(marker, 'utf8').trim())
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}
