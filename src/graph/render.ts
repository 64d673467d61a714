/** `coin graph --format dot|mermaid`: the target graph as text for Graphviz or Mermaid. */
import type { Graph } from './graph.ts'

export function toDot(graph: Graph, ids: readonly string[]): string {
  const lines = ['digraph coin {', '  rankdir=LR;', '  node [shape=box, fontname="Helvetica"];']
  // DOT strings escape only `"` and `\`; `\n` inside a label is DOT's own line break.
  for (const id of ids)
    lines.push(
      `  ${dotString(id)} [label="${dotEscape(id)}\\n(${dotEscape(graph.get(id).decl.rule.name)})"];`,
    )
  const set = new Set(ids)
  for (const id of ids)
    for (const d of graph.get(id).deps) if (set.has(d)) lines.push(`  ${dotString(d)} -> ${dotString(id)};`)
  lines.push('}')
  return `${lines.join('\n')}\n`
}

export function toMermaid(graph: Graph, ids: readonly string[]): string {
  const name = new Map(ids.map((id, i) => [id, `t${i}`]))
  const lines = ['flowchart LR']
  const text = (s: string) => s.replace(/"/g, '#quot;')
  for (const id of ids)
    lines.push(`  ${name.get(id)}["${text(id)}<br/>(${text(graph.get(id).decl.rule.name)})"]`)
  for (const id of ids)
    for (const d of graph.get(id).deps) if (name.has(d)) lines.push(`  ${name.get(d)} --> ${name.get(id)}`)
  return `${lines.join('\n')}\n`
}

const dotEscape = (s: string) => s.replace(/[\\"]/g, (c) => `\\${c}`)
const dotString = (s: string) => `"${dotEscape(s)}"`
