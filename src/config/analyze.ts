/**
 * Turns the user's declarations into a validated `Graph`: ids are well formed and unique, every
 * `output(...)` names a declared target, params are JSON, and there is no cycle. Every problem is a
 * `UserError` pointing at the declaring line; nothing here touches the cache.
 */

import { UserError } from '../errors.ts'
import { Graph, type GraphNode } from '../graph/graph.ts'
import { findNonJson } from '../hash/canonical-json.ts'
import type { Coinfile, Json, TargetDecl } from './define.ts'
import { isTargetDecl } from './define.ts'
import { formatSite, type SourceSite } from './site.ts'
import { didYouMean } from './suggest.ts'

/** Path-like ids: segments of letters, digits and `_ . @ = + -`; no empty, `.` or `..` segments. */
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.@=+-]*$/

export function validateId(id: unknown, where: () => SourceSite | undefined): string {
  const problem =
    typeof id !== 'string'
      ? `a target id must be a string, got ${JSON.stringify(id)}`
      : id.split('/').every((s) => SEGMENT.test(s) && s !== '.' && s !== '..' && !s.endsWith('.out'))
        ? undefined
        : `"${id}" is not a valid target id`
  if (problem) {
    const site = where()
    throw new UserError({
      message: problem,
      file: site?.file,
      line: site?.line,
      key: String(id),
      fix: 'use path-like ids such as "train/lora/3-imagenet": segments of letters, digits, _ . @ = + - (no segment ending in .out)',
    })
  }
  return id as string
}

export function analyze(coinfile: Coinfile, params: Record<string, Json>, coinfilePath: string): Graph {
  let produced: unknown
  try {
    produced = coinfile.targets(params as never)
  } catch (err) {
    // A helper's diagnostic without a place (a bad task name) points at the Coinfile line that called it.
    if (err instanceof UserError)
      throw err.diagnostic.file
        ? err
        : new UserError(
            { ...err.diagnostic, file: coinfilePath, line: userFrame(err, coinfilePath) },
            err.exitCode,
          )
    const e = err as Error
    const site = userFrame(e, coinfilePath)
    throw new UserError({
      message: `the Coinfile's targets() threw: ${e.message}`,
      file: coinfilePath,
      line: site,
      fix: 'fix the error in the Coinfile (it runs every time coin starts)',
    })
  }
  if (!Array.isArray(produced))
    throw new UserError({
      message: 'targets() must return an array of targets',
      file: coinfilePath,
      line: coinfile.site?.line,
      fix: 'return [rule("id", {...}), ...] from targets(params)',
    })
  const decls = (produced as unknown[]).flat(3)
  const nodes = new Map<string, GraphNode>()
  const ruleByName = new Map<string, TargetDecl['rule']>()
  decls.forEach((d, i) => {
    if (!isTargetDecl(d))
      throw new UserError({
        message: `targets()[${i}] is not a target (got ${describe(d)})`,
        file: coinfilePath,
        key: `targets()[${i}]`,
        fix: 'every element must come from calling a rule: myRule("some/id", { ... })',
      })
    const id = validateId(d.id, () => d.site)
    const prev = nodes.get(id)
    if (prev)
      throw new UserError({
        message: `target "${id}" is declared twice (also at ${formatSite(prev.decl.site)})`,
        file: d.site?.file,
        line: d.site?.line,
        key: id,
        fix: 'give each target a unique id',
      })
    const other = ruleByName.get(d.rule.name)
    if (other && other !== d.rule)
      throw new UserError({
        message: `two different rules are named "${d.rule.name}" (${formatSite(other.site)} and ${formatSite(d.rule.site)})`,
        file: d.rule.site?.file,
        line: d.rule.site?.line,
        key: d.rule.name,
        fix: 'rule names identify cached work: give each rule its own name',
      })
    ruleByName.set(d.rule.name, d.rule)
    const bad = findNonJson(d.params, 'params')
    if (bad)
      throw new UserError({
        message: `target "${id}": ${bad}`,
        file: d.site?.file,
        line: d.site?.line,
        key: `${id}.params`,
        fix: 'params must be plain JSON (numbers, strings, booleans, null, arrays, objects)',
      })
    nodes.set(id, { id, decl: d, deps: [], dependents: [] })
  })
  for (const node of nodes.values()) {
    for (const [name, ref] of Object.entries(node.decl.inputs)) {
      if (ref.kind !== 'target') continue
      if (!nodes.has(ref.id))
        throw new UserError({
          message: `target "${node.id}" reads input "${name}" from unknown target "${ref.id}".${didYouMean(ref.id, nodes.keys())}`,
          file: node.decl.site?.file,
          line: node.decl.site?.line,
          key: `${node.id}.inputs.${name}`,
          fix: 'declare that target, or correct the id passed to output(...)',
        })
      // One edge per (upstream, dependent) pair, however many inputs read that upstream: Kahn's
      // algorithm counts indegree per dependency, so a repeated dependent would be released early.
      if (node.deps.includes(ref.id)) continue
      node.deps.push(ref.id)
      nodes.get(ref.id)!.dependents.push(node.id)
    }
  }
  return new Graph(nodes, topoOrder(nodes))
}

/** Kahn's algorithm in declaration order; what is left over lies on a cycle, which we then trace. */
function topoOrder(nodes: Map<string, GraphNode>): string[] {
  const indegree = new Map<string, number>()
  for (const n of nodes.values()) indegree.set(n.id, n.deps.length)
  const ready = [...nodes.keys()].filter((id) => indegree.get(id) === 0)
  const order: string[] = []
  while (ready.length) {
    const id = ready.shift()!
    order.push(id)
    for (const d of nodes.get(id)!.dependents) {
      const left = indegree.get(d)! - 1
      indegree.set(d, left)
      if (left === 0) ready.push(d)
    }
  }
  if (order.length !== nodes.size) {
    const cycle = findCycle(nodes, new Set(order))
    const first = nodes.get(cycle[0]!)!
    throw new UserError({
      message: `dependency cycle: ${cycle.join(' → ')} → ${cycle[0]}`,
      file: first.decl.site?.file,
      line: first.decl.site?.line,
      key: cycle[0],
      fix: `break the cycle: ${cycle.map((id) => `${id} (${formatSite(nodes.get(id)!.decl.site)})`).join(', ')}`,
    })
  }
  return order
}

function findCycle(nodes: Map<string, GraphNode>, acyclic: Set<string>): string[] {
  const start = [...nodes.keys()].find((id) => !acyclic.has(id))!
  const path: string[] = []
  const onPath = new Set<string>()
  let id = start
  // Every node left over has a dependency that is also left over; walk until we revisit one.
  while (!onPath.has(id)) {
    path.push(id)
    onPath.add(id)
    id = nodes.get(id)!.deps.find((d) => !acyclic.has(d))!
  }
  return path.slice(path.indexOf(id))
}

function describe(x: unknown): string {
  if (x === null) return 'null'
  if (Array.isArray(x)) return 'an array'
  return typeof x === 'object' ? 'an object' : `${typeof x} ${JSON.stringify(x)}`
}

function userFrame(e: Error, coinfilePath: string): number | undefined {
  for (const line of e.stack?.split('\n') ?? []) {
    const i = line.indexOf(coinfilePath)
    if (i >= 0) {
      const m = /:(\d+):\d+\)?$/.exec(line.slice(i + coinfilePath.length))
      if (m) return Number(m[1])
    }
  }
  return undefined
}
