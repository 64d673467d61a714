/** What a run records about where it came from: the git revision and the Coinfile. */
import { execFileSync } from 'node:child_process'
import { closureOf, type ModuleGraph } from '../fingerprint/module-graph.ts'
import { canonicalJson } from '../hash/canonical-json.ts'
import { hashBytes, hashFile } from '../hash/xxh.ts'

export interface GitState {
  rev: string | null
  /** Uncommitted changes to tracked files (untracked files do not count). */
  dirty: boolean | null
}

/** HEAD and whether the work tree differs from it; nulls outside a git repository or without git. */
export function gitState(root: string): GitState {
  try {
    const rev = git(root, ['rev-parse', 'HEAD']).trim()
    const status = git(root, ['status', '--porcelain', '--untracked-files=no'])
    return { rev, dirty: status.trim() !== '' }
  } catch {
    return { rev: null, dirty: null }
  }
}

/** The commit a git revision (a branch, a tag, `HEAD~2`) names, or null when it names none. */
export function resolveRevision(root: string, revision: string): string | null {
  try {
    return git(root, ['rev-parse', '--verify', '--quiet', `${revision}^{commit}`]).trim() || null
  } catch {
    return null
  }
}

function git(root: string, args: string[]): string {
  return execFileSync('git', ['-C', root, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    timeout: 10_000,
  })
}

/**
 * The Coinfile's closure digest: every project module the Coinfile reaches (by its path from the
 * root and its content digest) and the `name@version` of every package they import, from the
 * module graph the loader builds for rule identities.
 */
export async function coinfileDigest(project: { modules: ModuleGraph }): Promise<string> {
  const graph = project.modules
  const closure = closureOf(graph, [graph.entry])
  const files: [string, string][] = []
  for (const file of closure.files)
    files.push([graph.modules[file]?.label ?? file, (await hashFile(file)).digest])
  return hashBytes(canonicalJson({ files, packages: closure.packages }))
}
