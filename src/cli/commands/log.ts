/**
 * `coin log T`: the log of the output in place (from its action record), or with `--attempt last`
 * the log of the last attempt, failed or not, as far as it has got (cache/logs/<id>.log, written
 * while the target runs); `-f` follows a running attempt.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs'
import type { Command } from 'commander'
import { isLogLive } from '../../cache/live-log.ts'
import { UserError } from '../../errors.ts'
import type { Project } from '../../project.ts'
import { open } from '../options.ts'
import { selectOne } from '../select.ts'

export interface LogOptions {
  attempt: 'current' | 'last'
  follow?: boolean
}

export async function run(target: string, opts: LogOptions, cmd: Command) {
  const p = await open(cmd)
  const id = selectOne(p, target, 'log')
  if (opts.follow) return follow(p.layout.log(id), id)
  if (opts.attempt === 'last') return printLastAttempt(p, id)
  const state = p.store.readOutState(id)
  if (!state) {
    if (existsSync(p.layout.log(id))) {
      process.stderr.write(`${id} has no output in place; its last attempt's log:\n`)
      return printLastAttempt(p, id)
    }
    throw new UserError({
      message: `no log for ${id}: it has not run in this cache`,
      key: id,
      fix: `coin build ${id}`,
    })
  }
  const rec = p.store.readRecord(state.key)
  if (rec?.log) process.stdout.write(readFileSync(p.layout.object(rec.log), 'utf8'))
  else process.stderr.write(`${id} printed nothing when it was built (key ${state.key})\n`)
  return 0
}

function printLastAttempt(p: Project, id: string): number {
  const file = p.layout.log(id)
  if (!existsSync(file))
    throw new UserError({
      message: `no log of a last attempt for ${id} in this cache (it printed nothing, or never ran here)`,
      key: id,
      fix: `coin log ${id} shows the log of the output in place`,
    })
  process.stdout.write(readFileSync(file, 'utf8'))
  return 0
}

/**
 * `coin log -f T`: the running attempt's log, then every line it adds, until the attempt ends.
 * A target that is not running prints its last attempt's log (if any) and returns.
 */
async function follow(file: string, id: string): Promise<number> {
  let offset = 0
  const pump = () => {
    if (!existsSync(file)) return
    const size = statSync(file).size
    if (size < offset) offset = 0 // a new attempt started over
    if (size === offset) return
    const fd = openSync(file, 'r')
    const buf = Buffer.alloc(size - offset)
    readSync(fd, buf, 0, buf.length, offset)
    closeSync(fd)
    offset = size
    process.stdout.write(buf)
  }
  if (!isLogLive(file)) {
    if (!existsSync(file)) process.stderr.write(`${id} is not running and its last attempt printed nothing\n`)
    pump()
    return 0
  }
  while (isLogLive(file)) {
    pump()
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  pump()
  return 0
}
