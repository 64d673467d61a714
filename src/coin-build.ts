/**
 * coin's own build id, written into dist/ by tools/build.mjs (a digest of the sources it compiled).
 * Caches of coin's analysis (the graph cache) are keyed by it, so a rebuilt coin never trusts what
 * an older one analysed. Undefined when coin runs from its TypeScript sources (its own tests), which
 * turns the graph cache off there.
 */
import { readFileSync } from 'node:fs'

let id: string | undefined | null = null

export function coinBuildId(): string | undefined {
  if (id === null) {
    try {
      id = readFileSync(new URL('../build-id', import.meta.url), 'utf8').trim() || undefined
    } catch {
      id = undefined
    }
  }
  return id
}
