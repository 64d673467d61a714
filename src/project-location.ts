/**
 * Where a project is and what its analysed graph would be keyed by: the cheap first half of
 * opening it, and all a no-op build needs (plan/up-to-date.ts answers from this alone). It imports
 * no part of the engine that a no-op does not run: each module loaded is start-up time.
 */
import { existsSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { CacheLayout } from './cache/layout.ts'
import { coinBuildId } from './coin-build.ts'
import { graphCacheKey } from './config/graph-cache.ts'
import { missingCoinfile } from './config/load.ts'
import { UserError } from './errors.ts'
import { loadModuleGraph } from './fingerprint/module-graph.ts'

export interface ProjectOptions {
  file: string
  sets?: readonly string[]
  /** Defaults to `<project root>/cache`. */
  cacheDir?: string
}

/**
 * The cheap first half of opening a project: where it is, its cache folder, the Coinfile's module
 * graph (cached, validated by stat) and the key of its analysed graph (undefined when coin runs from
 * its sources). Enough for the up-to-date stamp (plan/up-to-date.ts) to answer a no-op.
 */
export interface ProjectLocation {
  file: string
  root: string
  sets: readonly string[]
  layout: CacheLayout
  moduleGraph: Awaited<ReturnType<typeof loadModuleGraph>>
  graphKey: string | undefined
}

export async function locateProject(o: ProjectOptions): Promise<ProjectLocation> {
  const file = resolve(o.file)
  if (!existsSync(file)) throw missingCoinfile(file)
  const root = dirname(file)
  const sets = o.sets ?? []
  const layout = new CacheLayout(resolve(o.cacheDir ?? resolve(root, 'cache')))
  checkCacheDir(layout.root, o.cacheDir !== undefined)
  const moduleGraph = await openModuleGraph(file, root, layout.moduleGraph)
  const build = coinBuildId()
  const graphKey = build
    ? graphCacheKey({
        coinBuild: build,
        coinfile: file,
        cacheRoot: layout.root,
        sets,
        moduleStamp: moduleGraph.stamp,
      })
    : undefined
  return { file, root, sets, layout, moduleGraph, graphKey }
}

/**
 * The module graph; when esbuild cannot read the Coinfile (a syntax error, a missing import), the
 * loader's own diagnostic (with the file and line) is the better message, so it gets to speak first.
 */
async function openModuleGraph(file: string, root: string, cacheFile: string) {
  try {
    return await loadModuleGraph(file, root, cacheFile)
  } catch (err) {
    if (err instanceof UserError) await (await import('./config/load.ts')).loadCoinfile(file)
    throw err
  }
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
