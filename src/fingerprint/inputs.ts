/**
 * Digests of a target's declared file inputs (files, globs, directories), through the stat cache:
 * a no-op build only stats them. A missing input is a UserError naming the target and the path.
 */
import { readdirSync, type Stats, statSync } from 'node:fs'
import { isAbsolute, join, relative, resolve } from 'node:path'
import type { InputRef } from '../config/define.ts'
import { formatSite, type SourceSite } from '../config/site.ts'
import { UserError } from '../errors.ts'
import { canonicalJson } from '../hash/canonical-json.ts'
import type { StatCache } from '../hash/stat-cache.ts'
import { hashBytes } from '../hash/xxh.ts'
import type { InputDigest } from './key.ts'

export interface ResolvedFileInput {
  digest: InputDigest
  /** Absolute path(s) handed to the rule. */
  paths: string | string[]
}

export async function digestFileInput(
  ref: Exclude<InputRef, { kind: 'target' }>,
  ctx: { root: string; stat: StatCache; target: string; input: string; site: () => SourceSite | undefined },
): Promise<ResolvedFileInput> {
  const missing = (what: string, fix: string) => {
    const site = ctx.site()
    return new UserError({
      message: `target "${ctx.target}" input "${ctx.input}": ${what}`,
      file: site?.file,
      line: site?.line,
      key: `${ctx.target}.inputs.${ctx.input}`,
      fix: `${fix} (declared at ${formatSite(site)})`,
    })
  }
  const rel = (p: string) => (isAbsolute(p) ? p : relative(ctx.root, resolve(ctx.root, p)) || '.')
  switch (ref.kind) {
    case 'file': {
      const abs = resolve(ctx.root, ref.path)
      const st = statOrUndefined(abs)
      if (!st?.isFile())
        throw missing(
          st ? `${ref.path} is not a file` : `file ${ref.path} does not exist`,
          st ? 'use dir(...) for directories' : 'create the file or correct the path',
        )
      return { digest: { file: rel(ref.path), digest: await ctx.stat.digest(abs, st) }, paths: abs }
    }
    case 'glob': {
      // tinyglobby is loaded on first use: most Coinfiles declare no globs (~45 ms of start-up).
      const { globSync } = await import('tinyglobby')
      const matches = globSync(ref.pattern, { cwd: ctx.root, onlyFiles: true, dot: false }).sort()
      if (matches.length === 0)
        throw missing(
          `glob ${ref.pattern} matches no file`,
          'check the pattern (it is relative to the Coinfile)',
        )
      const files = await Promise.all(
        matches.map(async (m) => [m, await ctx.stat.digest(join(ctx.root, m))] as [string, string]),
      )
      return { digest: { glob: ref.pattern, files }, paths: matches.map((m) => join(ctx.root, m)) }
    }
    case 'dir': {
      const abs = resolve(ctx.root, ref.path)
      const st = statOrUndefined(abs)
      if (!st?.isDirectory())
        throw missing(
          st ? `${ref.path} is not a directory` : `directory ${ref.path} does not exist`,
          'create it or correct the path',
        )
      return { digest: { dir: rel(ref.path), digest: await digestDirectory(abs, ctx.stat) }, paths: abs }
    }
  }
}

/** A directory's digest: the hash of its sorted (relative path, file digest) list. */
export async function digestDirectory(abs: string, stat: StatCache): Promise<string> {
  const files = listFiles(abs)
  const entries = await Promise.all(files.map(async (f) => [f, await stat.digest(join(abs, f))]))
  return hashBytes(canonicalJson(entries))
}

/** Regular files under `dir`, relative, sorted; symlinks to files are followed. */
export function listFiles(dir: string): string[] {
  const out: string[] = []
  const walk = (sub: string) => {
    for (const e of readdirSync(join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${e.name}` : e.name
      if (e.isDirectory()) walk(rel)
      else if (e.isFile() || (e.isSymbolicLink() && statSync(join(dir, rel)).isFile())) out.push(rel)
    }
  }
  walk('')
  return out.sort()
}

function statOrUndefined(p: string): Stats | undefined {
  try {
    return statSync(p)
  } catch {
    return undefined
  }
}
