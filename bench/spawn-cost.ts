/**
 * What a shell command costs to start: from coin's own process (a Node spawn of `bash -c`, as
 * shell rules ran before the shell server) and through the shell server (src/exec/shell-server.ts),
 * while coin holds as much memory as it does mid-build, against a plain bash loop running the same
 * commands (the floor: one fork and exec each).
 *
 *   npx tsx bench/spawn-cost.ts [--spawns 300] [--hold-mb 150]
 *
 * Every side runs `cksum` on a small file into a file, the same number of times, alternating in
 * rounds, in one run; the ratios are what to compare across machines. CPU is this process's
 * user+sys plus its reaped children's (the server's, once it is stopped).
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runShell, stopShellServer } from '../src/exec/shell-server.ts'

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name)
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer`)
  return v
}

const spawns = flag('--spawns', 300)
const holdMb = flag('--hold-mb', 150)
const dir = mkdtempSync(join(tmpdir(), 'coin-spawn-cost-'))
writeFileSync(join(dir, 'in'), 'x'.repeat(2000))
const command = 'cksum in > out'

// Memory like a mid-build coin's: touched, so its pages are mapped.
const held: Buffer[] = []
for (let i = 0; i < holdMb; i++) held.push(Buffer.alloc(1 << 20, i))

function cpuMs(): number {
  const self = process.resourceUsage()
  return (self.userCPUTime + self.systemCPUTime) / 1000
}

// getrusage(RUSAGE_CHILDREN) is not exposed by Node: read it from /proc/self/stat (cutime, cstime).
function childrenMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ')
  const ticks = Number(fields[13]) + Number(fields[14])
  return (ticks * 1000) / 100 // USER_HZ is 100 on Linux
}

async function direct(n: number): Promise<void> {
  for (let i = 0; i < n; i++)
    await new Promise<void>((resolve, reject) => {
      const c = spawn('bash', ['-c', `set -euo pipefail;${command}`], {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      })
      c.stdout.resume()
      c.stderr.resume()
      c.on('error', reject)
      c.on('close', () => resolve())
    })
}

async function server(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const p = runShell(
      { command, cwd: dir, env: {}, stdoutFile: join(dir, 'o'), stderrFile: join(dir, 'e') },
      { stdout: () => {}, stderr: () => {} },
    )
    const exit = await p.done
    if (exit.code !== 0) throw new Error(`${command} exited ${exit.code}`)
  }
}

async function loop(n: number): Promise<void> {
  spawnSync('bash', ['-c', `for ((i = 0; i < ${n}; i++)); do ${command}; done`], { cwd: dir })
}

type Side = 'loop' | 'direct' | 'server'
const sides: Side[] = ['loop', 'direct', 'server']
const run = { loop, direct, server }
const rounds = 3
const per = Math.ceil(spawns / rounds)
const total = Object.fromEntries(sides.map((s) => [s, { wall: 0, cpu: 0 }])) as Record<
  Side,
  { wall: number; cpu: number }
>
for (let r = 0; r < rounds; r++) {
  for (let k = 0; k < sides.length; k++) {
    const side = sides[(k + r) % sides.length]!
    const t0 = performance.now()
    const c0 = cpuMs() + childrenMs()
    await run[side](per)
    // The server's own CPU and its commands' reach our children's rusage when it is reaped.
    if (side === 'server') await stopShellServer()
    total[side].wall += performance.now() - t0
    total[side].cpu += cpuMs() + childrenMs() - c0
  }
}
rmSync(dir, { recursive: true, force: true })
const n = per * rounds
const row = (side: Side) =>
  `${side.padEnd(7)} ${(total[side].wall / n).toFixed(2)} ms wall  ${(total[side].cpu / n).toFixed(2)} ms CPU per command`
const over = (side: Side) => ((total[side].cpu - total.loop.cpu) / n).toFixed(2)
process.stdout.write(
  `${n} × \`${command}\`, coin-like process holding ${holdMb} MiB (RSS ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB)\n` +
    `${sides.map(row).join('\n')}\n` +
    `CPU over the bash loop: direct ${over('direct')} ms, server ${over('server')} ms per command; ` +
    `direct ÷ server: ${(total.direct.cpu / total.server.cpu).toFixed(2)}× CPU, ${(total.direct.wall / total.server.wall).toFixed(2)}× wall\n`,
)
void held
