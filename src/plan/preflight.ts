/**
 * Before anything runs: every declared file, directory and glob input of the targets to build
 * must exist. Checked by stat only, so a typo fails fast and leaves the cache untouched.
 */
import { inputError, locateInput } from '../fingerprint/locate.ts'
import type { Graph } from '../graph/graph.ts'

export function checkInputsExist(graph: Graph, ids: readonly string[], root: string): void {
  for (const id of ids) {
    const { decl } = graph.get(id)
    for (const [name, ref] of Object.entries(decl.inputs)) {
      if (ref.kind === 'target') continue
      const located = locateInput(ref, root)
      if (located.kind === 'problem') throw inputError(id, name, located.problem, root, decl.site)
    }
  }
}
