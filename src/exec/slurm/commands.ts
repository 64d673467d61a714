/**
 * The Slurm commands coin runs, and nothing else: sbatch (one call per job array), squeue (one
 * call per poll for every job), scancel (one call for every job to cancel). Counted, so the
 * benchmark and the tests can check the number of calls.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface SlurmCalls {
  sbatch: number
  squeue: number
  scancel: number
}

/**
 * sbatch could not connect to the controller (it already retried for ~10 s): the request never
 * reached it, so submitting again cannot make a second job. A restarting slurmctld says this.
 */
const UNREACHABLE = /Unable to contact slurm controller \(connect failure\)/

export class SlurmCommands {
  readonly calls: SlurmCalls = { sbatch: 0, squeue: 0, scancel: 0 }

  /**
   * @param controllerWaitMs how long sbatch is retried while the controller cannot be reached
   *   (restarted, failing over) before the submission fails
   */
  constructor(
    readonly controllerWaitMs = 300_000,
    readonly retryDelayMs = 2_000,
  ) {}

  /**
   * Submits a batch script as an array of `size` tasks; returns the array's job id. Retried while
   * the controller is unreachable, unless `giveUp()` says the jobs are no longer wanted (Ctrl-C).
   */
  async sbatchArray(
    script: string,
    size: number,
    flags: string[],
    cwd: string,
    giveUp: () => boolean = () => false,
  ): Promise<string> {
    const deadline = Date.now() + this.controllerWaitMs
    let stdout: string
    for (;;) {
      this.calls.sbatch++
      try {
        ;({ stdout } = await run('sbatch', ['--parsable', `--array=0-${size - 1}`, ...flags, script], {
          cwd,
          timeout: 60_000,
        }))
        break
      } catch (e) {
        const err = e as Error & { stderr?: string }
        const why = (err.stderr || err.message).trim()
        if (!UNREACHABLE.test(why) || Date.now() >= deadline || giveUp())
          throw new Error(`sbatch failed: ${why}`)
        await new Promise((r) => setTimeout(r, this.retryDelayMs))
      }
    }
    // `--parsable` prints `jobid` or `jobid;cluster`.
    const id = stdout.trim().split(';')[0]!
    if (!/^\d+$/.test(id)) throw new Error(`sbatch printed no job id: ${stdout.trim()}`)
    return id
  }

  /**
   * Every job named `name` that the controller still knows (array tasks one per line, finished
   * jobs too, for MinJobAge): job id (`123_4`) → Slurm state and reason.
   */
  async squeue(name: string): Promise<Map<string, { state: string; reason: string }>> {
    this.calls.squeue++
    const { stdout } = await run('squeue', ['-h', '-r', '--states=all', `--name=${name}`, '-o', '%i|%T|%r'], {
      timeout: 60_000,
      maxBuffer: 64 * 1024 * 1024,
    })
    const jobs = new Map<string, { state: string; reason: string }>()
    for (const line of stdout.split('\n')) {
      const [id, state, reason] = line.trim().split('|')
      if (id && state) jobs.set(id, { state, reason: reason ?? '' })
    }
    return jobs
  }

  async scancel(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return
    this.calls.scancel++
    await run('scancel', [...ids], { timeout: 60_000 }).catch(() => {
      // Already finished jobs make scancel complain; the next poll sees their real state.
    })
  }
}
