/**
 * Opening a project: load the Coinfile, resolve params (defaults + --set), analyse the graph and
 * open the cache. Every command that needs the graph starts here; none of this reads file contents
 * beyond the Coinfile itself.
 */
import { existsSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { CacheLayout } from './cache/layout.ts'
import { Store } from './cache/store.ts'
import { analyze } from './config/analyze.ts'
import type { Json } from './config/define.ts'
import { type LoadedCoinfile, loadCoinfile } from './config/load.ts'
import { type ParamEntry, resolveParams } from './config/params.ts'
import { didYouMean } from './config/suggest.ts'
import { isDiskFull, UserError } from './errors.ts'
import { loadModuleGraph, type ModuleGraph } from './fingerprint/module-graph.ts'
import { type Graph, idPattern, isPattern } from './graph/graph.ts'
import { StatCache } from './hash/stat-cache.ts'
import { Planner } from './plan/planner.ts'

export interface ProjectOptions {
  file: string
  sets?: readonly string[]
  /** Defaults to `<project root>/cache`. */
  cacheDir?: string
}

export interface Project {
  loaded: LoadedCoinfile
  root: string
  params: Record<string, Json>
  paramEntries: ParamEntry[]
  graph: Graph
  /** Every module the Coinfile reaches: rule identities and the closure digest come from it. */
  modules: ModuleGraph
  saveModuleGraph: () => Promise<void>
  layout: CacheLayout
  stat: StatCache
  store: Store
  planner: Planner
}

export async function openProject(o: ProjectOptions): Promise<Project> {
  const loaded = await loadCoinfile(o.file)
  const { params, entries } = resolveParams(loaded.coinfile.params ?? {}, o.sets ?? [], {
    file: loaded.path,
    source: loaded.source,
    schema: loaded.coinfile.paramSchema,
  })
  const graph = analyze(loaded.coinfile, params, loaded.path)
  const layout = new CacheLayout(resolve(o.cacheDir ?? resolve(loaded.root, 'cache')))
  checkCacheDir(layout.root, o.cacheDir !== undefined)
  const stat = await StatCache.load(layout.statCache)
  const store = new Store(layout, stat)
  const { graph: modules, save: saveModuleGraph } = await loadModuleGraph(
    loaded.path,
    loaded.root,
    layout.moduleGraph,
  )
  const planner = new Planner(graph, loaded.root, modules, stat, store, layout)
  return {
    loaded,
    root: loaded.root,
    params,
    paramEntries: entries,
    graph,
    modules,
    saveModuleGraph,
    layout,
    stat,
    store,
    planner,
  }
}

/**
 * Writes back what this process learned: the stat cache and the out-state index. Both only save
 * work next time, so a full disk skips them (atomically: the old files stay) instead of masking
 * the error that stopped the build.
 */
export async function saveCaches(p: Project): Promise<void> {
  try {
    await p.stat.save()
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

/** The cache folder must be a folder (or not exist yet, under a folder): `--cache a-file` is a typo. */
function checkCacheDir(dir: string, fromFlag: boolean): void {
  const notDir = (path: string) => {
    try {
      return !statSync(path).isDirectory()
    } catch {
      return false
    }
  }
  const bad = notDir(dir) ? dir : notDir(dirname(dir)) ? dirname(dir) : undefined
  if (bad)
    throw new UserError({
      message: `the cache folder ${dir} cannot be used: ${bad} is a file`,
      key: fromFlag ? '--cache' : 'cache',
      fix: fromFlag
        ? 'pass a folder to --cache (it is created if missing)'
        : `move ${bad} away; coin keeps its cache there`,
    })
}
