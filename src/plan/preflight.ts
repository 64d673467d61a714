/**
 * Before anything runs: every declared file, directory and glob input of the targets to build
 * must exist. Checked by stat only, so a typo fails fast and leaves the cache untouched.
 */
import { statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import { formatSite } from '../config/site.ts'
import { UserError } from '../errors.ts'
import type { Graph } from '../graph/graph.ts'

export function checkInputsExist(graph: Graph, ids: readonly string[], root: string): void {
  for (const id of ids) {
    const { decl } = graph.get(id)
    for (const [name, ref] of Object.entries(decl.inputs)) {
      if (ref.kind === 'target') continue
      let problem: string | undefined
      if (ref.kind === 'glob') {
        // Loaded on first use: most Coinfiles declare no globs (~45 ms of start-up).
        const { globSync } = createRequire(import.meta.url)('tinyglobby') as typeof import('tinyglobby')
        if (globSync(ref.pattern, { cwd: root, onlyFiles: true }).length === 0)
          problem = `glob ${ref.pattern} matches no file`
      } else {
        const path = ref.path
        let st: ReturnType<typeof statSync> | undefined
        try {
          st = statSync(resolve(root, path))
        } catch {
          st = undefined
        }
        if (!st) problem = `${ref.kind === 'dir' ? 'directory' : 'file'} ${path} does not exist`
        else if (ref.kind === 'file' && !st.isFile())
          problem = `${path} is a directory; declare it with dir(...)`
        else if (ref.kind === 'dir' && !st.isDirectory())
          problem = `${path} is not a directory; declare it with file(...)`
      }
      if (problem)
        throw new UserError({
          message: `target "${id}" input "${name}": ${problem}`,
          file: decl.site?.file,
          line: decl.site?.line,
          key: `${id}.inputs.${name}`,
          fix: `create it or correct the path (relative to ${root}; declared at ${formatSite(decl.site)})`,
        })
    }
  }
}
