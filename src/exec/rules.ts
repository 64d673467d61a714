/** Rules by name: how an executor finds the function an action names (names are unique, see analyze). */
import type { AnyRule } from '../config/define.ts'
import type { Graph } from '../graph/graph.ts'

export type RuleRegistry = ReadonlyMap<string, AnyRule>

export function ruleRegistry(graph: Graph): RuleRegistry {
  const rules = new Map<string, AnyRule>()
  for (const node of graph.nodes.values()) rules.set(node.decl.rule.name, node.decl.rule)
  return rules
}
