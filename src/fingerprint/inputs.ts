/**
 * Digests of a target's declared file inputs (files, globs, directories), through the stat cache:
 * a no-op build only stats them. Where an input is and whether it is usable is `locateInput`'s job.
 */
import { readdirSync, statSync } from 'node:fs'
import { isAbsolute, join, relative, resolve } from 'node:path'
import type { SourceSite } from '../config/site.ts'
import { canonicalJson } from '../hash/canonical-json.ts'
import type { StatCache } from '../hash/stat-cache.ts'
import { hashBytes } from '../hash/xxh.ts'
import type { InputDigest } from './key.ts'
import { type FileInputRef, globPaths, inputError, locateInput } from './locate.ts'
import { dirSig, inputFileSig, type Watch } from './watch.ts'

export interface ResolvedFileInput {
  digest: InputDigest
  /** Absolute path(s) handed to the rule. */
  paths: string | string[]
  /** The stats the digest rests on (see watch.ts); undefined for a glob, whose matches may grow. */
  watch: Watch | undefined
}

export async function digestFileInput(
  ref: FileInputRef,
  ctx: { root: string; stat: StatCache; target: string; input: string; site: () => SourceSite | undefined },
): Promise<ResolvedFileInput> {
  const located = locateInput(ref, ctx.root)
  const rel = (p: string) => (isAbsolute(p) ? p : relative(ctx.root, resolve(ctx.root, p)) || '.')
  switch (located.kind) {
    case 'problem':
      throw inputError(ctx.target, ctx.input, located.problem, ctx.root, ctx.site())
    case 'glob': {
      const paths = globPaths(ctx.root, located.matches)
      const digests = await Promise.all(paths.map((p) => ctx.stat.digest(p)))
      const files = located.matches.map((m, i) => [m, digests[i]!] as [string, string])
      return { digest: { glob: (ref as { pattern: string }).pattern, files }, paths, watch: undefined }
    }
    case 'file':
      return {
        digest: {
          file: rel((ref as { path: string }).path),
          digest: await ctx.stat.digest(located.abs, located.st),
        },
        paths: located.abs,
        watch: new Map([[located.abs, inputFileSig(located.st)]]),
      }
    case 'dir': {
      const watch: Watch = new Map()
      return {
        digest: {
          dir: rel((ref as { path: string }).path),
          digest: await digestDirectory(located.abs, ctx.stat, watch),
        },
        paths: located.abs,
        watch,
      }
    }
  }
}

/**
 * A directory's digest: the hash of its sorted (relative path, file digest) list. With `watch`,
 * also the stats it rests on: every folder's (a file added changes it) and every file's.
 */
export async function digestDirectory(abs: string, stat: StatCache, watch?: Watch): Promise<string> {
  const files = listFiles(abs, watch)
  const entries = await Promise.all(
    files.map(async (f) => {
      const path = join(abs, f)
      const st = statSync(path)
      watch?.set(path, inputFileSig(st))
      return [f, await stat.digest(path, st)]
    }),
  )
  return hashBytes(canonicalJson(entries))
}

/** Regular files under `dir`, relative, sorted; symlinks to files are followed. */
export function listFiles(dir: string, watch?: Watch): string[] {
  const out: string[] = []
  const walk = (sub: string) => {
    if (watch) watch.set(join(dir, sub), dirSig(statSync(join(dir, sub))))
    for (const e of readdirSync(join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${e.name}` : e.name
      if (e.isDirectory()) walk(rel)
      else if (e.isFile() || (e.isSymbolicLink() && statSync(join(dir, rel)).isFile())) out.push(rel)
    }
  }
  walk('')
  return out.sort()
}
