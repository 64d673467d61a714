/**
 * Workload 3: hashing large inputs.
 *  - cold: coin builds a target whose input is a large file / a checkpoint directory that coin has
 *    not seen in its current state (its mtime is bumped before each run, so the stat cache misses
 *    and coin must read and hash every byte; the content is unchanged, so the target stays fresh);
 *  - warm: the same build again: the stat cache answers, and the coin process must read none of
 *    the input bytes (its /proc/<pid>/io `rchar` is compared with a build of a target whose only
 *    input is a tiny file);
 *  - peers: sha256sum, b3sum (all threads, and one thread) and xxhsum -H2 (XXH128, coin's hash)
 *    over the same files.
 * The data was just written, so every tool reads it from the page cache (all alike).
 */
import { utimesSync } from 'node:fs'
import { join } from 'node:path'
import { writeHashProject } from '../gen/hashdata.ts'
import { type CoinRun, coinBuild, coinProblem, repoRoot } from '../lib/coin.ts'
import { measure } from '../lib/proc.ts'
import { rotate } from '../lib/stats.ts'
import type { Run } from '../lib/types.ts'

export interface HashContext {
  workDir: string
  reps: number
  warmup: number
  fileMB: number
  dirFiles: number
  dirFileMB: number
  sha256sum?: string
  b3sum?: string
  xxhsum?: string
  log(line: string): void
  record(run: Run): void
}

interface Case {
  tool: string
  case: string
  bytes: number
  prepare?: () => void
  run: () => CoinRun
  isCoin: boolean
  /** coin's expected outcome counts: the target must stay fresh. */
  target?: string
}

export function runHashing(ctx: HashContext): void {
  const root = join(ctx.workDir, 'hashing')
  ctx.log(
    `hashing: writing ${ctx.fileMB} MiB file and ${ctx.dirFiles} × ${ctx.dirFileMB} MiB directory in ${root}…`,
  )
  const layout = writeHashProject(root, repoRoot, ctx)
  const abs = (p: string) => join(root, p)
  // First build: runs the three targets (and hashes everything once). Not measured.
  const first = coinBuild(root, { jobs: 2 })
  const err = coinProblem(first)
  if (err) throw new Error(`hashing: initial coin build failed: ${err}`)

  const bump = (paths: string[]) => () => {
    const t = new Date()
    for (const p of paths) utimesSync(abs(p), t, t)
  }
  const coin = (target: string) => () => coinBuild(root, { jobs: 2, targets: [target], probeIo: true })
  const cases: Case[] = [
    {
      tool: 'coin',
      case: 'file-cold',
      bytes: layout.fileBytes,
      prepare: bump([layout.file]),
      run: coin('hash/file'),
      isCoin: true,
      target: 'hash/file',
    },
    {
      tool: 'coin',
      case: 'dir-cold',
      bytes: layout.dirBytes,
      prepare: bump(layout.dirFiles),
      run: coin('hash/dir'),
      isCoin: true,
      target: 'hash/dir',
    },
    { tool: 'coin', case: 'file-warm', bytes: layout.fileBytes, run: coin('hash/file'), isCoin: true },
    { tool: 'coin', case: 'dir-warm', bytes: layout.dirBytes, run: coin('hash/dir'), isCoin: true },
    { tool: 'coin', case: 'none-warm', bytes: 0, run: coin('hash/none'), isCoin: true },
  ]
  const peer = (tool: string, bin: string | undefined, args: string[]) => {
    if (!bin) return
    cases.push({
      tool,
      case: 'file',
      bytes: layout.fileBytes,
      run: () => measure(bin, [...args, layout.file], { cwd: root }),
      isCoin: false,
    })
    cases.push({
      tool,
      case: 'dir',
      bytes: layout.dirBytes,
      run: () => measure(bin, [...args, ...layout.dirFiles], { cwd: root }),
      isCoin: false,
    })
  }
  peer('sha256sum', ctx.sha256sum, [])
  peer('b3sum', ctx.b3sum, [])
  peer('b3sum -1 thread', ctx.b3sum, ['--num-threads', '1'])
  peer('xxhsum -H2', ctx.xxhsum, ['-H2'])

  for (let rep = -ctx.warmup; rep < ctx.reps; rep++) {
    for (const c of rotate(cases, rep + ctx.warmup)) {
      c.prepare?.()
      const m = c.run()
      const run: Run = {
        workload: 'hashing',
        size: c.bytes,
        case: c.case,
        tool: c.tool,
        rep,
        wallMs: m.wallMs,
        userMs: m.userMs,
        sysMs: m.sysMs,
        maxRssKB: m.maxRssKB,
        code: m.code,
        bytes: c.bytes,
        io: m.io,
      }
      if (c.isCoin) {
        run.error = coinProblem(m)
        if (m.done) {
          run.counts = m.done.counts
          run.engineMs = m.done.durationMs
          if (!run.error && m.done.counts.fresh !== 1)
            run.error = `expected the target to stay fresh, got ${JSON.stringify(m.done.counts)}`
        }
      } else if (m.code !== 0) run.error = `${c.tool} exited ${m.code}: ${m.stderr.slice(-300)}`
      ctx.record(run)
      ctx.log(
        `  hash ${`${c.tool} ${c.case}`.padEnd(24)} rep ${rep}: ${m.wallMs.toFixed(0)} ms${m.io ? `, rchar ${m.io.rchar}` : ''}${run.error ? `  ERROR ${run.error}` : ''}`,
      )
    }
  }
}
