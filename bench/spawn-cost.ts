/**
 * What a command costs to start, from coin's own process and through the spawner helper
 * (src/exec/spawner.ts), while coin holds as much memory as it does mid-build.
 *
 *   npx tsx bench/spawn-cost.ts [--spawns 300] [--hold-mb 150]
 *
 * Linux forks copy the parent's page tables, so a direct spawn gets slower as the parent grows;
 * the helper is a small process whose forks stay cheap. Both sides run `sh -c true` the same
 * number of times, alternating in rounds, in one run; the ratio is what to compare across machines.
 * CPU is this process's user+sys plus its reaped children's (the helper's, once it is stopped).
 */
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { spawnViaHelper, stopSpawner } from '../src/exec/spawner.ts'

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name)
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer`)
  return v
}

const spawns = flag('--spawns', 300)
const holdMb = flag('--hold-mb', 150)

// Memory like a mid-build coin's: touched, so its pages are mapped.
const held: Buffer[] = []
for (let i = 0; i < holdMb; i++) held.push(Buffer.alloc(1 << 20, i))

function cpuMs(): number {
  const self = process.resourceUsage()
  return (self.userCPUTime + self.systemCPUTime) / 1000
}

async function direct(n: number): Promise<void> {
  for (let i = 0; i < n; i++)
    await new Promise<void>((resolve, reject) => {
      const c = spawn('/bin/sh', ['-c', 'true'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true })
      c.on('error', reject)
      c.on('close', () => resolve())
    })
}

async function helper(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const p = spawnViaHelper(
      { file: '/bin/sh', args: ['-c', 'true'], cwd: process.cwd(), env: { ...process.env } },
      { stdout: () => {}, stderr: () => {} },
    )
    await p.done
  }
}

// getrusage(RUSAGE_CHILDREN) is not exposed by Node: read it from /proc/self/stat (cutime, cstime).
function childrenMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ')
  const ticks = Number(fields[13]) + Number(fields[14])
  return (ticks * 1000) / 100 // USER_HZ is 100 on Linux
}

const rounds = 3
const per = Math.ceil(spawns / rounds)
const total = { direct: { wall: 0, cpu: 0 }, helper: { wall: 0, cpu: 0 } }
for (let r = 0; r < rounds; r++) {
  for (const side of r % 2 ? (['helper', 'direct'] as const) : (['direct', 'helper'] as const)) {
    const t0 = performance.now()
    const c0 = cpuMs() + childrenMs()
    await (side === 'direct' ? direct(per) : helper(per))
    total[side].wall += performance.now() - t0
    total[side].cpu += cpuMs() + childrenMs() - c0
  }
}
// The helper's own CPU and its commands' reach our children's rusage when it is reaped, once, at
// the end (its start-up counts too, as it does once per coin build).
const c0 = childrenMs()
await stopSpawner()
total.helper.cpu += childrenMs() - c0
const n = per * rounds
const row = (side: 'direct' | 'helper') =>
  `${side.padEnd(7)} ${(total[side].wall / n).toFixed(2)} ms wall  ${(total[side].cpu / n).toFixed(2)} ms CPU per command`
process.stdout.write(
  `${n} × sh -c true, coin-like process holding ${holdMb} MiB (RSS ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB)\n` +
    `${row('direct')}\n${row('helper')}\n` +
    `direct ÷ helper: ${(total.direct.wall / total.helper.wall).toFixed(2)}× wall, ${(total.direct.cpu / total.helper.cpu).toFixed(2)}× CPU\n`,
)
void held
