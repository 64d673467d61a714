/**
 * Opening a project: the Coinfile's analysed graph (from the graph cache when the Coinfile's code
 * closure, the `--set` values and coin did not change; else by loading the Coinfile and running its
 * `targets()`), and the cache. Every command that needs the graph starts here; none of this reads
 * file contents beyond the Coinfile's modules.
 */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import type { CacheLayout } from './cache/layout.ts'
import { Store } from './cache/store.ts'
import { analyze } from './config/analyze.ts'
import type { AnyRule, Json } from './config/define.ts'
import {
  type AnalysedCoinfile,
  type CoinfileSettings,
  readGraphCache,
  toGraphData,
  writeGraphCache,
} from './config/graph-cache.ts'
import { loadCoinfile } from './config/load.ts'
import { type ParamEntry, resolveParams } from './config/params.ts'
import { didYouMean } from './config/suggest.ts'
import { isDiskFull, UserError } from './errors.ts'
import { renderCommandWords } from './fingerprint/command-files.ts'
import type { ModuleGraph } from './fingerprint/module-graph.ts'
import { type Graph, type GraphNode, idPattern, isPattern } from './graph/graph.ts'
import { StatCache } from './hash/stat-cache.ts'
import { Planner } from './plan/planner.ts'
import { locateProject, type ProjectLocation, type ProjectOptions } from './project-location.ts'

export interface Project {
  /** The Coinfile's absolute path. */
  file: string
  root: string
  params: Record<string, Json>
  paramEntries: ParamEntry[]
  /** The Coinfile's own settings (default executor, Slurm settings). */
  settings: CoinfileSettings
  graph: Graph
  /** True when the graph was read from the graph cache (the Coinfile was not loaded). */
  graphFromCache: boolean
  /** Every module the Coinfile reaches: rule identities and the closure digest come from it. */
  modules: ModuleGraph
  /** Writes what this process learned about the Coinfile (module graph, graph cache). */
  saveModuleGraph: () => Promise<void>
  layout: CacheLayout
  stat: StatCache
  store: Store
  planner: Planner
}

export async function openProject(o: ProjectOptions | ProjectLocation): Promise<Project> {
  const where = 'layout' in o ? o : await locateProject(o)
  const { file, root, sets, layout, moduleGraph, graphKey: key } = where
  const stat = await StatCache.load(layout.statCache, { exclude: `${layout.objects}/` })
  const store = new Store(layout, stat, StatCache.lazy(layout.objectStatCache))
  const modules = moduleGraph.graph

  let real: Promise<AnalysedCoinfile> | undefined
  const analyseNow = () => {
    real ??= analyseCoinfile(file, sets)
    return real
  }
  const graphFile = key ? layout.graph(key) : undefined
  let analysed: AnalysedCoinfile | undefined
  let cached: AnalysedCoinfile | undefined
  if (key && graphFile) {
    // A rule read from the cache loads the Coinfile when it first runs (only builds with work do).
    // The loaded Coinfile's rules by name, built once (each target that runs asks for its rule).
    let byName: Promise<Map<string, AnyRule>> | undefined
    const realRule = async (name: string): Promise<AnyRule> => {
      byName ??= analyseNow().then((fresh) => {
        const rules = new Map<string, AnyRule>()
        // A graph of another size is another Coinfile: no rule of it may run for this one.
        if (fresh.graph.order.length === cached?.graph.order.length)
          for (const n of fresh.graph.nodes.values()) rules.set(n.decl.rule.name, n.decl.rule)
        return rules
      })
      const rule = (await byName).get(name)
      if (!rule)
        throw new UserError({
          message: 'the Coinfile changed while coin was running',
          file,
          key: name,
          fix: 'run the command again',
        })
      return rule
    }
    analysed = cached = readGraphCache(graphFile, key, realRule)
  }
  let pendingGraph: (() => void) | undefined
  if (!analysed) {
    analysed = await analyseNow()
    const fresh = analysed
    if (key && graphFile)
      pendingGraph = () => {
        const data = toGraphData(fresh, key, modules, (node) =>
          renderCommandWords(node.decl, staticInputPaths(node, root, layout), root),
        )
        if (data) writeGraphCache(graphFile, data)
      }
  }
  const planner = new Planner(analysed.graph, root, modules, stat, store, layout)
  return {
    file,
    root,
    params: analysed.params,
    paramEntries: analysed.paramEntries,
    settings: analysed.settings,
    graph: analysed.graph,
    graphFromCache: cached !== undefined,
    modules,
    saveModuleGraph: async () => {
      await moduleGraph.save()
      pendingGraph?.()
      pendingGraph = undefined
    },
    layout,
    stat,
    store,
    planner,
  }
}

/** Loads the Coinfile (config/bundle.ts), resolves the params and analyses the targets. */
async function analyseCoinfile(file: string, sets: readonly string[]): Promise<AnalysedCoinfile> {
  const loaded = await loadCoinfile(file)
  const { params, entries } = resolveParams(loaded.coinfile.params ?? {}, sets, {
    file: loaded.path,
    source: loaded.source,
    schema: loaded.coinfile.paramSchema,
  })
  const graph = analyze(loaded.coinfile, params, loaded.path)
  return {
    params,
    paramEntries: entries,
    settings: {
      executor: loaded.coinfile.executor,
      slurm: loaded.coinfile.slurm,
      line: loaded.coinfile.site?.line,
    },
    graph,
  }
}

/** A target's input paths as its command sees them, known before anything runs (no globs). */
function staticInputPaths(node: GraphNode, root: string, layout: CacheLayout): Record<string, string> {
  const paths: Record<string, string> = {}
  for (const [name, ref] of Object.entries(node.decl.inputs))
    if (ref.kind === 'target') paths[name] = layout.outDir(ref.id)
    else if (ref.kind === 'file' || ref.kind === 'dir') paths[name] = resolve(root, ref.path)
  return paths
}

/**
 * Writes back what this process learned: the stat cache and the out-state index. Both only save
 * work next time, so a full disk skips them (atomically: the old files stay) instead of masking
 * the error that stopped the build.
 */
export async function saveCaches(p: Project): Promise<void> {
  try {
    await p.stat.save()
    await p.store.objectStat.save()
    // Only into a cache this process already uses: bad input must leave no cache/ behind.
    if (existsSync(p.layout.root)) await p.saveModuleGraph()
    p.store.saveIndex()
  } catch (err) {
    if (!isDiskFull(err)) throw err
  }
}

/**
 * Target selection: exact ids and globs (`eval/lora/**`). No selection means every target.
 * An unknown id is a UserError with "did you mean".
 */
export function selectTargets(graph: Graph, patterns: readonly string[], file?: string): string[] {
  if (patterns.length === 0) return [...graph.order]
  const out = new Set<string>()
  for (const p of patterns) {
    if (isPattern(p)) {
      const re = idPattern(p)
      const hits = graph.order.filter((id) => re.test(id) || re.test(`${id}/`))
      if (hits.length === 0)
        throw new UserError({
          message: `no target matches ${p}`,
          file,
          key: p,
          fix: 'run `coin list` to see the target ids',
        })
      for (const h of hits) out.add(h)
    } else if (graph.nodes.has(p)) out.add(p)
    else {
      // A directory-like prefix selects everything below it: `coin build train/lora`.
      const below = graph.order.filter((id) => id.startsWith(`${p.replace(/\/$/, '')}/`))
      if (below.length === 0)
        throw new UserError({
          message: `unknown target "${p}".${didYouMean(p, graph.order)}`,
          file,
          key: p,
          fix: 'run `coin list` to see the target ids',
        })
      for (const b of below) out.add(b)
    }
  }
  return graph.order.filter((id) => out.has(id))
}
