/**
 * The peers and helpers the benchmark compares against or needs: found on PATH, else installed with
 * apt-get when that is possible (running as root with apt available, and installs not disabled),
 * else skipped with a line saying why.
 */
import { spawnSync } from 'node:child_process'
import { GNU_TIME, which } from './proc.ts'

export type ToolName = 'make' | 'snakemake' | 'sha256sum' | 'b3sum' | 'xxhsum' | 'time'

/** Debian package providing each tool. */
const APT: Record<ToolName, string> = {
  make: 'make',
  snakemake: 'snakemake',
  sha256sum: 'coreutils',
  b3sum: 'b3sum',
  xxhsum: 'xxhash',
  time: 'time',
}

const VERSION_ARGS: Record<ToolName, string[]> = {
  make: ['--version'],
  snakemake: ['--version'],
  sha256sum: ['--version'],
  b3sum: ['--version'],
  xxhsum: ['--version'],
  time: ['--version'],
}

export interface Tool {
  name: ToolName
  path?: string
  version?: string
  /** Why it is not available (then `path` is undefined). */
  skipped?: string
}

function probe(name: ToolName): Tool {
  const path = name === 'time' ? which(GNU_TIME) : which(name)
  if (!path) return { name, skipped: `${name} not found on PATH` }
  const r = spawnSync(path, VERSION_ARGS[name], { encoding: 'utf8', timeout: 60_000 })
  const text = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim()
  if (r.status !== 0 && name !== 'time')
    return { name, skipped: `${path} ${VERSION_ARGS[name].join(' ')} failed: ${text.split('\n')[0] ?? ''}` }
  return { name, path, version: text.split('\n')[0]?.trim() }
}

function canApt(): boolean {
  return process.getuid?.() === 0 && which('apt-get') !== undefined
}

/**
 * Finds (or installs) the tools named. `install: false` never calls apt-get. Progress lines go to
 * `log`. Returns one entry per tool; unavailable tools carry `skipped`.
 */
export function ensureTools(
  names: readonly ToolName[],
  o: { install: boolean; log: (line: string) => void },
): Map<ToolName, Tool> {
  const out = new Map<ToolName, Tool>()
  for (const n of names) out.set(n, probe(n))
  const missing = names.filter((n) => out.get(n)?.skipped)
  if (missing.length && o.install) {
    if (!canApt()) {
      for (const n of missing)
        out.get(n)!.skipped += ' (not installing: needs root and apt-get; install it to compare)'
    } else {
      const pkgs = [...new Set(missing.map((n) => APT[n]))]
      o.log(`installing ${pkgs.join(' ')} with apt-get (snakemake takes about a minute)…`)
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
      const upd = spawnSync('apt-get', ['update', '-qq'], { encoding: 'utf8', env, timeout: 300_000 })
      const inst = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], {
        encoding: 'utf8',
        env,
        timeout: 900_000,
      })
      if (upd.status !== 0 || inst.status !== 0)
        o.log(
          `apt-get failed: ${`${upd.stderr ?? ''}${inst.stderr ?? ''}`.trim().split('\n').slice(-3).join(' | ')}`,
        )
      for (const n of missing) {
        const again = probe(n)
        if (again.skipped) again.skipped += ` (apt-get install ${APT[n]} did not provide it)`
        out.set(n, again)
      }
    }
  } else if (missing.length) {
    for (const n of missing) out.get(n)!.skipped += ' (installs disabled)'
  }
  for (const n of names) {
    const t = out.get(n)!
    if (t.skipped) o.log(`skipping ${n}: ${t.skipped}`)
  }
  return out
}
