/**
 * Temp folders for tests, removed when the test process exits (a passing test and a failing one
 * alike). Tests made thousands of `coin-*` folders under /tmp that nothing removed.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const made = new Set<string>()
let hooked = false

/** A new folder under the system temp dir, named `<prefix>XXXXXX`. */
export function tempDir(prefix = 'coin-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  removeAtExit(dir)
  return dir
}

/** Removes `dir` when the process exits, unless the test removed it first. */
export function removeAtExit(dir: string): void {
  made.add(dir)
  if (hooked) return
  hooked = true
  process.once('exit', () => {
    for (const d of made) rmSync(d, { recursive: true, force: true })
  })
}
