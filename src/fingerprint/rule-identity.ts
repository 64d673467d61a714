/**
 * A rule's identity in the key: the code that decides its output.
 *
 * - A rule exported from its own module (`export const train = rule({...})`: coin's built-in
 *   rules, a user's rules/ file) is identified by the content of the project modules a tree-shaken
 *   bundle of that export keeps, and the versions of the packages they import: its code closure.
 *   Editing a helper it calls makes it stale; editing another rule of the same module, or an
 *   unrelated module behind the same barrel file, does not.
 * - A rule its module does not export under a name is identified by its whole module's closure.
 * - A rule written inside the Coinfile is identified by the source of its `run` function (or its
 *   `identitySource`, e.g. a shell rule's command template), so adding a target or editing another
 *   rule there does not rerun it, plus the closure of the modules the Coinfile imports: the
 *   function may call any of them. (Put a rule in its own module for a finer identity.)
 * - `version`, when set, is part of the identity too: bump it to invalidate a rule's targets.
 *
 * A comment-only edit of a module in the closure counts as a change, as in Bazel and DVC.
 */
import type { AnyRule } from '../config/define.ts'
import type { StatCache } from '../hash/stat-cache.ts'
import { hashBytes } from '../hash/xxh.ts'
import { type Closure, closureOf, declarationClosure, type ModuleGraph } from './module-graph.ts'

/** Whether a rule is identified by its source text (written inside the Coinfile) rather than by its module. */
export function identityNeedsSource(rule: AnyRule, graph: ModuleGraph): boolean {
  const site = rule.site
  return !(site !== undefined && site.file !== graph.entry && graph.modules[site.file] !== undefined)
}

export async function ruleIdentity(rule: AnyRule, graph: ModuleGraph, stat: StatCache): Promise<string> {
  const site = rule.site
  const inModule = !identityNeedsSource(rule, graph)
  let closure: Closure
  if (inModule && site) closure = await declarationClosure(graph, site.file, site.line)
  else closure = closureOf(graph, graph.modules[graph.entry]?.imports ?? [])
  const files = closure.code !== undefined ? [] : closure.files.filter((f) => f !== graph.entry)
  const digests = await Promise.all(files.map(async (f) => [graph.modules[f]!.label, await stat.digest(f)]))
  digests.sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0))
  return hashBytes(
    JSON.stringify({
      version: rule.version ?? null,
      fn: inModule ? null : (rule.identitySource ?? rule.run.toString()),
      code: closure.code ?? null,
      modules: digests,
      packages: closure.packages,
    }),
  )
}
