/**
 * The graph cache: the analysed target graph as plain data, so that a build whose Coinfile closure,
 * `--set` values and coin build did not change (every no-op, every rebuild after a data edit) skips
 * loading (bundling) the Coinfile and running its `targets()`: one JSON read instead of ~1 s.
 *
 * Keyed by the module graph's stamp (the stat signature of every module the Coinfile reaches, the
 * package.json of every package it imports, their folders), the `--set` values, the cache folder and
 * coin's own build id. A file that is missing, unreadable, of another format or of another key is
 * ignored and rebuilt, never trusted.
 *
 * What cannot be data is made lazy: each rule becomes a stub with the rule's name, site, version and
 * `uses`; its `run` loads the Coinfile on first call (only a build that has work to do pays for it).
 * A command rule's words (the files its command names are key inputs) are rendered at analysis and
 * stored per target; a target whose command words would depend on a glob's expansion cannot be
 * cached, so such a graph is never written.
 *
 * The assumption (documented in the README): `targets()` is a pure function of the params and the
 * code. A Coinfile that lists a folder or reads an environment variable to decide its targets must
 * say so through a param.
 */
import { createHash } from 'node:crypto'
import { dirname } from 'node:path'
import { keepNewestJson, readCheckedJson, writeCheckedJson } from '../cache/atomic.ts'
import type { SlurmSettings } from '../exec/slurm/settings.ts'
import type { ModuleGraph } from '../fingerprint/module-graph.ts'
import { identityNeedsSource } from '../fingerprint/rule-identity.ts'
import { Graph, type GraphNode } from '../graph/graph.ts'
import type { AnyRule, ExecutorName, InputRef, Json, TargetDecl } from './define.ts'
import type { ParamEntry } from './params.ts'
import type { SourceSite } from './site.ts'

const FORMAT = 'coin-graph-2'
/** Graph files kept per cache (one per recent Coinfile state / `--set` combination). */
const KEEP = 8

/** The Coinfile-level settings the CLI reads besides the targets. */
export interface CoinfileSettings {
  executor: ExecutorName | undefined
  slurm: SlurmSettings | undefined
  /** The `defineCoinfile` line, for diagnostics. */
  line: number | undefined
}

interface CachedRule {
  name: string
  site?: SourceSite
  version?: string
  uses?: string[]
  /** Only for rules identified by their source (written inside the Coinfile). */
  identitySource?: string
}

interface CachedTarget {
  id: string
  rule: number
  inputs: Record<string, InputRef>
  params: Json
  resources: { cpu: number; gpu: number; memGB: number }
  publish?: string
  env: Record<string, string>
  executor?: ExecutorName
  slurm?: SlurmSettings
  site?: SourceSite
  words?: string[]
}

interface CachedGraphFile {
  format: typeof FORMAT
  key: string
  params: Record<string, Json>
  paramEntries: ParamEntry[]
  settings: CoinfileSettings
  rules: CachedRule[]
  /** In topological order (the graph's `order`). */
  targets: CachedTarget[]
}

export interface AnalysedCoinfile {
  params: Record<string, Json>
  paramEntries: ParamEntry[]
  settings: CoinfileSettings
  graph: Graph
}

export interface GraphKeyParts {
  /** coin's own build (a changed engine may analyse differently). */
  coinBuild: string
  coinfile: string
  cacheRoot: string
  sets: readonly string[]
  /** The stat signatures that keep the module graph valid. */
  moduleStamp: string
}

export function graphCacheKey(k: GraphKeyParts): string {
  const parts = [FORMAT, k.coinBuild, k.coinfile, k.cacheRoot, [...k.sets], k.moduleStamp]
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32)
}

/**
 * The cached analysis for `key`, or undefined (missing, corrupt, other format or key). Rule stubs
 * run the real rule through `realRule`, which loads the Coinfile on first use.
 */
export function readGraphCache(
  file: string,
  key: string,
  realRule: (name: string) => Promise<AnyRule>,
): AnalysedCoinfile | undefined {
  const data = readCheckedJson<CachedGraphFile>(file)
  if (data?.format !== FORMAT || data.key !== key || !Array.isArray(data.targets)) return undefined
  try {
    return fromData(data, realRule)
  } catch {
    return undefined // a damaged file that parses: rebuild it
  }
}

function fromData(data: CachedGraphFile, realRule: (name: string) => Promise<AnyRule>): AnalysedCoinfile {
  const rules = data.rules.map((r) => stubRule(r, realRule))
  const nodes = new Map<string, GraphNode>()
  for (const t of data.targets) {
    const rule = rules[t.rule]
    if (!rule) throw new Error(`rule ${t.rule} missing`)
    const decl: TargetDecl = {
      kind: 'target',
      id: t.id,
      rule,
      inputs: t.inputs,
      params: t.params,
      resources: t.resources,
      publish: t.publish,
      env: t.env,
      executor: t.executor,
      slurm: t.slurm,
      site: t.site,
    }
    nodes.set(t.id, { id: t.id, decl, deps: [], dependents: [], commandWords: t.words })
  }
  for (const node of nodes.values())
    for (const ref of Object.values(node.decl.inputs)) {
      if (ref.kind !== 'target') continue
      const up = nodes.get(ref.id)
      if (!up) throw new Error(`unknown upstream ${ref.id}`)
      if (node.deps.includes(up.id)) continue
      node.deps.push(up.id)
      up.dependents.push(node.id)
    }
  if (nodes.size !== data.targets.length) throw new Error('a target is listed twice')
  // The same string objects as the map's keys: lookups by id then skip hashing a copy.
  const order = [...nodes.keys()]
  const position = new Map(order.map((id, i) => [id, i]))
  for (const node of nodes.values())
    if (node.deps.some((d) => position.get(d)! > position.get(node.id)!))
      throw new Error('targets are not in topological order')
  return {
    params: data.params,
    paramEntries: data.paramEntries,
    settings: data.settings,
    graph: new Graph(nodes, order),
  }
}

function stubRule(r: CachedRule, realRule: (name: string) => Promise<AnyRule>): AnyRule {
  const declare = () => {
    throw new Error(`rule ${r.name} was read from the graph cache and cannot declare targets`)
  }
  return Object.defineProperties(declare, {
    name: { value: r.name },
    version: { value: r.version },
    identitySource: { value: r.identitySource },
    uses: { value: r.uses },
    commandWords: { value: undefined },
    site: { value: r.site },
    run: { value: async (ctx: unknown) => (await realRule(r.name)).run(ctx as never) },
  }) as unknown as AnyRule
}

/**
 * The plain-data form of a fresh analysis, or undefined when it cannot be cached (a command whose
 * words depend on a glob's expansion). `words(node)` renders a command rule's words for a target.
 */
export function toGraphData(
  a: AnalysedCoinfile,
  key: string,
  modules: ModuleGraph,
  words: (node: GraphNode) => string[] | undefined,
): CachedGraphFile | undefined {
  const ruleIndex = new Map<AnyRule, number>()
  const rules: CachedRule[] = []
  const targets: CachedTarget[] = []
  for (const id of a.graph.order) {
    const node = a.graph.get(id)
    const { decl } = node
    let index = ruleIndex.get(decl.rule)
    if (index === undefined) {
      index = rules.length
      ruleIndex.set(decl.rule, index)
      const r = decl.rule
      rules.push({
        name: r.name,
        site: r.site,
        version: r.version,
        uses: r.uses,
        identitySource: identityNeedsSource(r, modules) ? (r.identitySource ?? r.run.toString()) : undefined,
      })
    }
    const hasGlob = Object.values(decl.inputs).some((ref) => ref.kind === 'glob')
    if (decl.rule.commandWords && hasGlob) return undefined
    targets.push({
      id,
      rule: index,
      inputs: decl.inputs,
      params: decl.params,
      resources: decl.resources,
      publish: decl.publish,
      env: decl.env,
      executor: decl.executor,
      slurm: decl.slurm,
      site: decl.site,
      words: decl.rule.commandWords ? words(node) : undefined,
    })
  }
  return {
    format: FORMAT,
    key,
    params: a.params,
    paramEntries: a.paramEntries,
    settings: a.settings,
    rules,
    targets,
  }
}

/** Writes the graph file atomically and keeps only the most recent few beside it. */
export function writeGraphCache(file: string, data: CachedGraphFile): void {
  writeCheckedJson(file, data)
  keepNewestJson(dirname(file), KEEP)
}
