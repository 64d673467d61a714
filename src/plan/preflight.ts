/**
 * Before anything runs: every declared file, directory and glob input of the targets to build
 * must exist, every `publish` folder must lie inside the project, and resources must be counts. Checked by stat only, so a
 * typo fails fast and leaves the cache untouched.
 */
import { isAbsolute, relative, resolve, sep } from 'node:path'
import { UserError } from '../errors.ts'
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
    // `decl.site` is read only for an error: formatting its stack costs ~50 µs per target.
    if (decl.publish) publishDir(root, decl.publish, id, () => decl.site)
    checkResources(id, decl.resources, () => decl.site)
  }
}

/** Where the target was declared, asked only when there is an error to point there. */
type Site = () => { file?: string; line?: number } | undefined

/** CPU slots, GPUs and memory are counts: a negative or fractional GPU count is a typo. */
function checkResources(id: string, r: { cpu: number; gpu: number; memGB: number }, siteOf?: Site): void {
  const bad = (['cpu', 'gpu', 'memGB'] as const).find(
    (k) =>
      typeof r[k] !== 'number' ||
      !Number.isFinite(r[k]) ||
      r[k] < 0 ||
      (k === 'gpu' && !Number.isInteger(r[k])),
  )
  if (!bad) return
  const site = siteOf?.()
  throw new UserError({
    message: `target "${id}" asks for ${JSON.stringify(r[bad])} ${bad}`,
    file: site?.file,
    line: site?.line,
    key: `${id}.resources.${bad}`,
    fix: 'resources are non-negative numbers (gpu a whole number), e.g. resources: { cpu: 4, gpu: 1, memGB: 16 }',
  })
}

/**
 * The absolute folder a target publishes to. `publish` is a folder relative to the project root
 * and inside it (`results`, `paper/tables`); an absolute path or one that climbs out with `..`
 * would write outside the project, so it is a user error.
 */
export function publishDir(root: string, publish: string, id: string, siteOf?: Site): string {
  const dest = resolve(root, publish)
  const rel = relative(root, dest)
  const inside =
    typeof publish === 'string' &&
    publish !== '' &&
    !publish.includes('\0') &&
    !isAbsolute(publish) &&
    rel !== '' &&
    rel !== '..' &&
    !rel.startsWith(`..${sep}`) &&
    !isAbsolute(rel)
  if (inside) return dest
  const site = siteOf?.()
  throw new UserError({
    message: `target "${id}" publishes to ${JSON.stringify(publish)}, which is not a folder inside the project`,
    file: site?.file,
    line: site?.line,
    key: `${id}.publish`,
    fix: "publish to a relative folder inside the project, e.g. publish: 'results'",
  })
}
