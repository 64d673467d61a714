/** What a run records about where it came from: the git revision and the Coinfile. */
import { execFileSync } from 'node:child_process'
import { hashBytes } from '../hash/xxh.ts'

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
 * The Coinfile's closure digest. Until the Coinfile is loaded through a bundle that reports the
 * modules it imports, this is the digest of the Coinfile's own text: swap the body for the
 * loader's closure digest when it exists (one line).
 */
export async function coinfileDigest(loaded: { source: string }): Promise<string> {
  return hashBytes(loaded.source)
}
