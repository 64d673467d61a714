/**
 * The project files a rule's command depends on are inputs: the script a command runs
 * (`python scripts/train.py ...`) is in the key, so editing it makes exactly that rule's targets
 * stale, and `coin why` names it. Two sources:
 * - `uses` on the rule: project paths (files or folders) it declares it reads;
 * - for a command rule, the words of its command for this target (literal words and interpolated
 *   values) that name an existing file or folder inside the project.
 * Excluded: the project root itself, the cache, node_modules, and the target's declared inputs
 * (already in the key). Each becomes a key input named `uses:<path>`.
 */
import { existsSync, statSync } from 'node:fs'
import { isAbsolute, relative, resolve, sep } from 'node:path'
import type { AnyTargetDecl } from '../config/define.ts'
import { UserError } from '../errors.ts'
import type { StatCache } from '../hash/stat-cache.ts'
import { digestDirectory } from './inputs.ts'
import type { InputDigest } from './key.ts'
import { ABSENT, inputFileSig, type Watch } from './watch.ts'

export interface CommandFilesContext {
  root: string
  cacheRoot: string
  stat: StatCache
  /** The target's resolved input paths (handed to the command as they will be at run time). */
  inputs: Record<string, string | string[]>
}

/**
 * A command rule's words for one target, rendered before it runs with its input paths (a target's
 * output folder, a file's absolute path); undefined for rules that are not commands.
 */
export function renderCommandWords(
  decl: AnyTargetDecl,
  inputs: Record<string, string | string[]>,
  root: string,
): string[] | undefined {
  return decl.rule.commandWords?.({ params: decl.params, inputs, env: decl.env, root })
}

export async function commandFileInputs(
  decl: AnyTargetDecl,
  words: readonly string[] | undefined,
  ctx: CommandFilesContext,
  watch?: Watch,
): Promise<Record<string, InputDigest>> {
  const declared = (decl.rule.uses ?? []).map((p) => {
    const abs = resolve(ctx.root, p)
    if (!existsSync(abs))
      throw new UserError({
        message: `rule "${decl.rule.name}" declares uses: "${p}", which does not exist`,
        file: decl.rule.site?.file,
        line: decl.rule.site?.line,
        key: `${decl.rule.name}.uses`,
        fix: 'list files or folders that exist, relative to the project root',
      })
    return abs
  })
  const inputPaths = new Set(Object.values(ctx.inputs).flat())
  const candidates = new Set<string>(declared)
  for (const w of words ?? []) {
    const abs = candidatePath(w, ctx.root)
    if (!abs || inputPaths.has(abs) || !inProject(abs, ctx)) continue
    // A word naming no file today would be an input once that file exists: a stamp watches that.
    if (!existsSync(abs)) watch?.set(abs, ABSENT)
    else candidates.add(abs)
  }
  const out: Record<string, InputDigest> = {}
  for (const abs of [...candidates].sort()) {
    const rel = relative(ctx.root, abs).split(sep).join('/')
    const st = statSync(abs)
    if (!st.isDirectory()) watch?.set(abs, inputFileSig(st))
    out[`uses:${rel}`] = st.isDirectory()
      ? { dir: rel, digest: await digestDirectory(abs, ctx.stat, watch) }
      : { file: rel, digest: await ctx.stat.digest(abs, st) }
  }
  return out
}

/** A word as a path: quotes stripped, `--flag=value` reduced to its value. */
function candidatePath(word: string, root: string): string | undefined {
  let w = word.trim().replace(/^['"]|['"]$/g, '')
  const eq = w.indexOf('=')
  if (w.startsWith('-')) {
    if (eq < 0) return undefined
    w = w.slice(eq + 1)
  }
  if (!w || w.includes('\n') || w.length > 4096) return undefined
  return isAbsolute(w) ? w : resolve(root, w)
}

function inProject(abs: string, ctx: CommandFilesContext): boolean {
  const rel = relative(ctx.root, abs)
  if (!rel || rel.startsWith('..') || isAbsolute(rel)) return false
  const cache = relative(ctx.cacheRoot, abs)
  if (!cache?.startsWith('..')) return false // the cache, or inside it
  if (!relative(abs, ctx.cacheRoot).startsWith('..')) return false // a folder holding the cache
  return !rel.split(sep).includes('node_modules')
}
