/**
 * `coin exec <action.json>`: the worker form. Runs one action (written by a submitting coin, e.g.
 * the Slurm executor) on whatever machine it lands on: loads the action's Coinfile with the same
 * `--set` values, looks the rule up by name, takes the key's lock (as `coin build` does), runs
 * the rule into the action's staging directory and commits the outputs and the record to the
 * cache. Its events go, as JSON lines, to the file beside the action; its log lines also go to
 * stdout (the job's output file). Exit: 0 ok, 1 the rule failed, 2 bad input (a UserError), 130
 * cancelled (SIGTERM from scancel, SIGINT).
 */
import { appendFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { hostname } from 'node:os'
import { join, resolve } from 'node:path'
import { lock } from '../../cache/lock.ts'
import { OutputRejected } from '../../cache/store.ts'
import { ExitCode, UserError } from '../../errors.ts'
import type { Action, ActionResult } from '../../exec/action.ts'
import { commitAction } from '../../exec/commit.ts'
import { ruleRegistry } from '../../exec/rules.ts'
import { runAction } from '../../exec/run-action.ts'
import { eventsPathOf, type WorkerEvent } from '../../exec/worker-events.ts'
import { openProject } from '../../project.ts'

export function run(path: string): Promise<number> {
  return execAction(resolve(path))
}

export async function execAction(path: string): Promise<number> {
  const action = readAction(path)
  const eventsPath = eventsPathOf(path)
  const write = (e: WorkerEvent) => appendFileSync(eventsPath, `${JSON.stringify(e)}\n`)
  write({ event: 'started', at: Date.now(), host: hostname(), pid: process.pid, jobId: jobId() })
  const controller = new AbortController()
  const onSignal = (sig: NodeJS.Signals) => controller.abort(new Error(`received ${sig}`))
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
  const finish = (result: ActionResult, reused = false): number => {
    write({ event: 'result', at: Date.now(), result, reused })
    if (result.status === 'ok') return ExitCode.ok
    if (result.status === 'cancelled') return ExitCode.interrupted
    return result.cause === 'user' ? ExitCode.userError : ExitCode.buildFailed
  }
  let project: Awaited<ReturnType<typeof openProject>>
  try {
    project = await openProject({ file: action.coinfile, sets: action.sets, cacheDir: action.cache })
  } catch (err) {
    if (err instanceof UserError)
      return finish({ status: 'failed', cause: 'user', diagnostic: err.diagnostic })
    throw err
  }
  const held = await lock(project.layout.lock(action.key), controller.signal).catch(() => undefined)
  if (!held) return finish({ status: 'cancelled' })
  try {
    // Built meanwhile (by a local coin, or an earlier attempt whose result was lost): reuse it.
    const built = project.store.readRecord(action.key)
    if (built && (await project.store.verify(built)).ok) {
      rmSync(action.staging, { recursive: true, force: true })
      return finish({ status: 'ok' }, true)
    }
    rmSync(action.staging, { recursive: true, force: true })
    mkdirSync(join(action.staging, 'out'), { recursive: true })
    const lines: string[] = []
    const startedAt = new Date()
    const result = await runAction(
      action,
      ruleRegistry(project.graph),
      {
        log: (line) => {
          lines.push(line)
          process.stdout.write(`${line}\n`)
          write({ event: 'log', line })
        },
        progress: (progress) => write({ event: 'progress', progress }),
      },
      controller.signal,
    )
    if (result.status !== 'ok' || controller.signal.aborted) {
      rmSync(action.staging, { recursive: true, force: true })
      if (result.status === 'failed') process.stderr.write(`error: ${result.diagnostic.message}\n`)
      return finish(controller.signal.aborted ? { status: 'cancelled' } : result)
    }
    const logText = lines.length ? `${lines.join('\n')}\n` : ''
    try {
      await commitAction(project.store, action, { startedAt, executor: action.executor, logText })
      await project.store.settle()
    } catch (err) {
      // A symbolic link (or a socket...) in the output: the store refuses it; the target fails.
      if (!(err instanceof OutputRejected)) throw err
      return finish({ status: 'failed', cause: 'error', diagnostic: { message: err.message, fix: err.fix } })
    }
    return finish({ status: 'ok' })
  } finally {
    held.release()
    process.off('SIGTERM', onSignal)
    process.off('SIGINT', onSignal)
  }
}

function jobId(): string | undefined {
  const { SLURM_ARRAY_JOB_ID: a, SLURM_ARRAY_TASK_ID: t, SLURM_JOB_ID: j } = process.env
  return a && t ? `${a}_${t}` : j
}

function readAction(path: string): Action {
  let a: Action
  try {
    a = JSON.parse(readFileSync(path, 'utf8')) as Action
  } catch (err) {
    throw new UserError({
      message: `cannot read the action file: ${(err as Error).message}`,
      file: path,
      fix: 'pass an action .json written by coin (under cache/jobs/<key>/)',
    })
  }
  if (a?.format !== 1 || typeof a.key !== 'string' || typeof a.rule !== 'string')
    throw new UserError({
      message: 'not a coin action (format 1 with key and rule)',
      file: path,
      fix: 'pass an action .json written by coin (under cache/jobs/<key>/)',
    })
  return a
}
