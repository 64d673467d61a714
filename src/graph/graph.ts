/**
 * The target graph: validated target declarations with their dependency edges, in a topological
 * order. Pure data: no file system, no rules executed.
 */
import type { TargetDecl } from '../config/define.ts'
import { internalError } from '../errors.ts'

export interface GraphNode {
  id: string
  decl: TargetDecl
  /** Ids of the targets this one reads (its `output(...)` inputs), in declaration order. */
  deps: string[]
  dependents: string[]
  /**
   * A command rule's words for this target, rendered when the graph was analysed (a graph read
   * from the graph cache has no rule functions to render them with).
   */
  commandWords?: readonly string[]
}

export class Graph {
  readonly nodes: ReadonlyMap<string, GraphNode>
  /** Every id, dependencies before dependents. */
  readonly order: readonly string[]

  constructor(nodes: Map<string, GraphNode>, order: string[]) {
    this.nodes = nodes
    this.order = order
  }

  get(id: string): GraphNode {
    const n = this.nodes.get(id)
    if (!n) throw internalError(`unknown target ${id}`)
    return n
  }

  /** The ids in `roots` plus everything they depend on, in topological order. */
  closure(roots: Iterable<string>): string[] {
    const list = [...roots]
    // Every target selected (`coin build` with no arguments): the closure is the whole graph.
    if (
      list.length === this.nodes.size &&
      new Set(list).size === list.length &&
      list.every((id) => this.nodes.has(id))
    )
      return [...this.order]
    const want = new Set<string>()
    const stack = list
    while (stack.length) {
      const id = stack.pop()!
      if (want.has(id)) continue
      want.add(id)
      stack.push(...this.get(id).deps)
    }
    return this.order.filter((id) => want.has(id))
  }

  /** Everything downstream of `id` (not including it). */
  downstream(id: string): Set<string> {
    const seen = new Set<string>()
    const stack = [...this.get(id).dependents]
    while (stack.length) {
      const d = stack.pop()!
      if (seen.has(d)) continue
      seen.add(d)
      stack.push(...this.get(d).dependents)
    }
    return seen
  }

  /**
   * Length of the longest chain from each node to a sink, weighted by `cost` (the critical path).
   * Ready jobs with a longer remaining path start first.
   */
  criticalPath(ids: readonly string[], cost: (id: string) => number): Map<string, number> {
    const inSet = new Set(ids)
    const out = new Map<string, number>()
    for (let i = ids.length - 1; i >= 0; i--) {
      const id = ids[i]!
      let best = 0
      for (const d of this.get(id).dependents) if (inSet.has(d)) best = Math.max(best, out.get(d) ?? 0)
      out.set(id, best + cost(id))
    }
    return out
  }
}

/** `eval/lora/**` → matcher. `*` matches within one path segment, `**` across segments. */
export function idPattern(pattern: string): RegExp {
  let re = ''
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!
    if (c === '*' && pattern[i + 1] === '*') {
      // `a/**` also matches `a` itself's children at any depth; `**/b` matches `b` at any depth.
      re += '.*'
      i++
    } else if (c === '*') re += '[^/]*'
    else if (c === '?') re += '[^/]'
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${re}$`)
}

export function isPattern(s: string): boolean {
  return /[*?]/.test(s)
}
