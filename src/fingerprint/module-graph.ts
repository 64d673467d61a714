/**
 * The Coinfile's code closure: every module it reaches, found by esbuild (the same resolver and
 * parser that loads it, config/bundle.ts) from a bundle's metafile, the way vite reads its config. A rule's
 * identity is then the content of the modules its defining module reaches, so editing a helper a
 * rule imports (an optimiser, a scorer's normaliser, a user's lib/ file) makes exactly that rule's
 * targets stale, and an unrelated module does not.
 *
 * Modules inside node_modules are not read: they count as `name@version` from their package.json.
 * A module outside the project that is not under node_modules (a linked package) is content-hashed
 * and labelled `name/relative-path` from its package.json, so keys do not depend on where the
 * project lives.
 *
 * esbuild costs ~150 ms per run, so the graph is cached beside the stat cache and trusted only
 * while every module file and every package.json read has the same (size, mtime, ctime, inode)
 * and every folder holding a module the same resolvable file names (see pathSignature).
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, realpathSync, type Stats, statSync } from 'node:fs'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname, extname, join, relative, resolve, sep } from 'node:path'
import { UserError } from '../errors.ts'
import { hashBytes } from '../hash/xxh.ts'

export interface ModuleInfo {
  /** Stable name in keys: the path from the project root, or `package/path` outside it. */
  label: string
  /** Other project modules this one imports (absolute paths), static or dynamic. */
  imports: string[]
  /** Packages imported from node_modules, as `name@version`. */
  packages: string[]
}

export interface ModuleGraph {
  entry: string
  root: string
  modules: Record<string, ModuleInfo>
  /** Tree-shaken closures of rules exported where they are declared, `file:line` → closure (filled on demand). */
  exports: Record<string, Closure>
}

export interface Closure {
  /** Absolute paths of the project modules whose code the binding can reach. */
  files: string[]
  /**
   * For an export: the digest of its tree-shaken, whitespace-minified bundle, i.e. exactly the
   * code it can reach (so editing another rule of the same module does not count). Absent for a
   * whole-module closure, which is identified by its files' contents.
   */
  code?: string
  /** `name@version` of the packages those modules import. */
  packages: string[]
}

const FORMAT = 3

interface CacheFile {
  v: number
  entry: string
  /** Every path whose change may change the graph, with its stat signature. */
  watched: Record<string, string>
  modules: Record<string, ModuleInfo>
  exports: Record<string, Closure>
}

/**
 * The module graph of `path`, from the cache when nothing it depends on changed. `save` writes a
 * freshly computed graph to the cache; callers run it only once the build may touch the cache
 * (a bad Coinfile or a bad input must leave `cache/` untouched).
 */
export async function loadModuleGraph(
  path: string,
  root: string,
  cacheFile?: string,
): Promise<{ graph: ModuleGraph; stamp: string; save: () => Promise<void> }> {
  // Module paths are real paths (Node and esbuild resolve symlinks), and so are rule sites.
  const entry = realpathSync(path)
  const cached = cacheFile ? readCache(cacheFile, entry) : undefined
  const { graph, watched } = cached ?? (await analyzeModules(entry, root))
  const known = Object.keys(graph.exports).length
  const save = async () => {
    // Written when new: a fresh graph, or export closures computed since it was read.
    if (!cacheFile || (cached && Object.keys(graph.exports).length === known)) return
    await writeCache(cacheFile, { v: FORMAT, entry, watched, modules: graph.modules, exports: graph.exports })
  }
  // Changes whenever any watched path does: what the graph cache (config/graph-cache.ts) keys on.
  const stamp = createHash('sha256')
    .update(JSON.stringify(Object.entries(watched).sort((a, b) => (a[0] < b[0] ? -1 : 1))))
    .digest('hex')
  return { graph, stamp, save }
}

/** The modules (absolute paths) and packages reachable from `starts`, starts included. */
export function closureOf(graph: ModuleGraph, starts: readonly string[]): Closure {
  const seen = new Set<string>()
  const packages = new Set<string>()
  const stack = starts.filter((s) => graph.modules[s])
  while (stack.length) {
    const file = stack.pop()!
    if (seen.has(file)) continue
    seen.add(file)
    const m = graph.modules[file]!
    for (const p of m.packages) packages.add(p)
    for (const i of m.imports) if (!seen.has(i)) stack.push(i)
  }
  return { files: [...seen].sort(), packages: [...packages].sort() }
}

/**
 * What may change how an import resolves, for a path the graph depends on. A module or a
 * package.json: its stat. A folder holding a module: the names of the files in it that an import
 * can resolve to (a new `x.ts` beside `x/index.ts` changes what `./x` means), not its mtime, which
 * every build changes by creating `cache/`, `results/` or a log next to the Coinfile. A new folder
 * never changes an import that resolved (a file wins over a folder of the same name).
 */
function pathSignature(path: string): string {
  const st = statSync(path)
  if (!st.isDirectory()) return signature(st)
  const names = readdirSync(path, { withFileTypes: true })
    .filter((e) => !e.isDirectory() && RESOLVABLE.test(e.name))
    .map((e) => e.name)
    .sort()
  return `dir:${names.join('/')}`
}

const RESOLVABLE = /\.(?:[cm]?[jt]sx?|json|node)$/

function signature(s: Stats): string {
  return `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`
}

function readCache(
  file: string,
  entry: string,
): { graph: ModuleGraph; watched: Record<string, string> } | undefined {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as CacheFile
    if (data.v !== FORMAT || data.entry !== entry) return undefined
    for (const [path, sig] of Object.entries(data.watched)) if (pathSignature(path) !== sig) return undefined
    return {
      graph: { entry, root: dirname(entry), modules: data.modules, exports: data.exports },
      watched: data.watched,
    }
  } catch {
    return undefined // missing, corrupt or a watched path is gone: recompute, never trust
  }
}

async function writeCache(file: string, data: CacheFile): Promise<void> {
  await mkdir(dirname(file), { recursive: true })
  const tmp = `${file}.${process.pid}.tmp`
  await writeFile(tmp, JSON.stringify(data))
  await rename(tmp, file)
}

async function analyzeModules(
  entry: string,
  root: string,
): Promise<{ graph: ModuleGraph; watched: Record<string, string> }> {
  const esbuild = await import('esbuild')
  const packagesOf = new Map<string, Set<string>>()
  const packageFiles = new Set<string>()
  let result: Awaited<ReturnType<typeof esbuild.build>>
  try {
    result = await esbuild.build({
      entryPoints: [entry],
      absWorkingDir: root,
      bundle: true,
      write: false,
      metafile: true,
      treeShaking: false,
      platform: 'node',
      format: 'esm',
      logLevel: 'silent',
      plugins: [packagesPlugin(packagesOf, packageFiles, false)],
    })
  } catch (err) {
    const e = err as { errors?: { text: string; location?: { file: string; line: number } | null }[] }
    const first = e.errors?.[0]
    throw new UserError({
      message: `cannot read the Coinfile's imports: ${first?.text ?? String(err)}`,
      file: first?.location ? resolve(root, first.location.file) : entry,
      line: first?.location?.line,
      fix: 'fix that import (coin reads every module the Coinfile reaches to know what a rule depends on)',
    })
  }
  const modules: Record<string, ModuleInfo> = {}
  const watched: Record<string, string> = {}
  const watch = (p: string) => {
    if (!(p in watched)) watched[p] = pathSignature(p)
  }
  for (const [rel, input] of Object.entries(result.metafile!.inputs)) {
    if (rel.includes(':')) continue // esbuild's virtual namespaces, none expected
    const abs = resolve(root, rel)
    modules[abs] = {
      label: labelOf(abs, root),
      imports: input.imports
        .filter((i) => !i.external && !i.path.includes(':'))
        .map((i) => resolve(root, i.path))
        .filter((p, k, all) => all.indexOf(p) === k)
        .sort(),
      packages: [...(packagesOf.get(abs) ?? [])].sort(),
    }
    watch(abs)
    watch(dirname(abs))
  }
  for (const p of packageFiles) watch(p)
  // How bare imports resolve (a package's exports, tsconfig paths) lives in these two files.
  for (const f of ['package.json', 'tsconfig.json'])
    try {
      watch(join(root, f))
    } catch {
      // absent: nothing to watch
    }
  return { graph: { entry, root, modules, exports: {} }, watched }
}

/**
 * Stops at node_modules (a package counts as its version, recorded per importer) and follows
 * everything else (a package's self-reference, a linked package). With `pure`, every project
 * module is declared free of side effects, so a tree-shaken bundle keeps only the modules whose
 * code a binding can reach, not every module a barrel file re-exports.
 */
function packagesPlugin(
  packagesOf: Map<string, Set<string>>,
  packageFiles: Set<string>,
  pure: boolean,
  bySpecifier = new Map<string, string>(),
): import('esbuild').Plugin {
  return {
    name: 'coin-packages',
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData?.coinInner || args.path.startsWith('node:') || args.kind === 'entry-point')
          return undefined
        const bare = !/^[./]/.test(args.path)
        if (!bare && !pure) return undefined
        const r = await build.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: { coinInner: true },
        })
        if (r.errors.length > 0 || r.external || !r.path) return bare ? { external: true } : undefined
        if (!r.path.split(sep).includes('node_modules'))
          return pure ? { path: r.path, sideEffects: false } : r
        const pkg = packageOf(r.path)
        if (pkg) {
          packageFiles.add(pkg.file)
          const set = packagesOf.get(args.importer) ?? new Set<string>()
          packagesOf.set(args.importer, set)
          set.add(`${pkg.name}@${pkg.version}`)
          bySpecifier.set(args.path, `${pkg.name}@${pkg.version}`)
        }
        return { external: true, sideEffects: pure ? false : undefined }
      })
      if (!pure) return
      // Declaring a rule has no side effects, but esbuild only knows that for calls marked pure
      // (its cross-module @__NO_SIDE_EFFECTS__ does not reach imported functions here): mark
      // them, so the other `export const x = rule(...)` of a module are dropped.
      build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, async (args) => {
        if (args.path.split(sep).includes('node_modules')) return undefined
        const text = await readFile(args.path, 'utf8')
        return { contents: markDeclaringCalls(text), loader: esbuildLoader(args.path) }
      })
    },
  }
}

/** `= rule(`, `= rule<P>(`, `= shell(`: a declaration's initialiser, never text in a comment. */
const DECLARING_CALL = /(=\s*)((?:rule|shell|defineCoinfile)\s*(?:<[^()]*?>)?\s*\()/g
/** Lines inside a comment (`*`, `/*`, `//` first) are left alone: a mark there would end it. */
function markDeclaringCalls(text: string): string {
  return text
    .split('\n')
    .map((line) =>
      /^\s*(\*|\/\*|\/\/)/.test(line) ? line : line.replace(DECLARING_CALL, '$1/* @__PURE__ */ $2'),
    )
    .join('\n')
}

const LOADERS: Record<string, 'ts' | 'tsx' | 'js' | 'jsx'> = {
  '.ts': 'ts',
  '.tsx': 'tsx',
  '.js': 'js',
  '.jsx': 'jsx',
}

/** esbuild's loader for a module (`.mts`/`.cts` as `.ts`, `.mjs`/`.cjs` as `.js`; TypeScript otherwise). */
export function esbuildLoader(path: string): 'ts' | 'tsx' | 'js' | 'jsx' {
  return LOADERS[extname(path).replace(/^\.[cm]?/, '.')] ?? 'ts'
}

/**
 * The closure of one exported binding (`export const train = rule(...)` in `file`): the project
 * modules a tree-shaken bundle of just that binding keeps, so the other rules of the module and
 * the unused parts of barrel files do not count. Cached in the graph.
 */
export async function declarationClosure(graph: ModuleGraph, file: string, line: number): Promise<Closure> {
  // Keyed by the declaring line, so a cached graph answers without reading the module again
  // (this runs for every rule on every no-op).
  const id = `${file}:${line}`
  const hit = graph.exports[id]
  if (hit) return hit
  const name = exportedName(file, line)
  if (!name) return closureOf(graph, [file]) // not exported under a name: the whole module counts
  const esbuild = await import('esbuild')
  const packagesOf = new Map<string, Set<string>>()
  const bySpecifier = new Map<string, string>()
  let result: import('esbuild').BuildResult<{ metafile: true; write: false }>
  try {
    result = await esbuild.build({
      stdin: {
        contents: `export { ${name} } from ${JSON.stringify(file)}`,
        resolveDir: graph.root,
        loader: 'ts',
      },
      absWorkingDir: graph.root,
      bundle: true,
      write: false,
      metafile: true,
      treeShaking: true,
      // No comments (esbuild's `// path` headers would tie the digest to where the project is).
      minifyWhitespace: true,
      platform: 'node',
      format: 'esm',
      logLevel: 'silent',
      plugins: [packagesPlugin(packagesOf, new Set(), true, bySpecifier)],
    })
  } catch {
    return closureOf(graph, [file]) // the tree-shaken view failed: the whole module counts
  }
  const output = Object.values(result.metafile!.outputs)[0]
  const kept = output?.inputs ?? {}
  const files = Object.entries(kept)
    .filter(([rel, i]) => i.bytesInOutput > 0 && !rel.includes(':'))
    .map(([rel]) => resolve(graph.root, rel))
  // A module the whole-graph analysis does not know cannot be labelled: be conservative.
  if (!files.includes(file) || files.some((f) => !graph.modules[f])) return closureOf(graph, [file])
  // The packages the kept code still imports (unused imports were shaken off with their users).
  const packages = new Set<string>()
  for (const i of output?.imports ?? []) {
    const pkg = i.external ? bySpecifier.get(i.path) : undefined
    if (pkg) packages.add(pkg)
  }
  const code = await hashBytes(result.outputFiles[0]?.text ?? '')
  const closure = { files: files.sort(), packages: [...packages].sort(), code }
  graph.exports[id] = closure
  return closure
}

/** `export const NAME = rule(` on the line of the rule() call (or the line before it). */
function exportedName(file: string, line: number): string | undefined {
  const lines = readFileSync(file, 'utf8').split('\n')
  for (const text of [lines[line - 1], lines[line - 2]]) {
    const m = /^\s*export\s+const\s+([A-Za-z_$][\w$]*)\s*(?::[^=]*)?=/.exec(text ?? '')
    if (m) return m[1]
  }
  return undefined
}

function labelOf(abs: string, root: string): string {
  const rel = relative(root, abs)
  if (!rel.startsWith('..')) return rel.split(sep).join('/')
  const pkg = packageOf(abs)
  return pkg ? `${pkg.name}/${relative(dirname(pkg.file), abs).split(sep).join('/')}` : abs
}

const packageCache = new Map<string, { name: string; version: string; file: string } | undefined>()

/** The nearest enclosing package.json that has a name (nested ones may only set "type"). */
function packageOf(file: string): { name: string; version: string; file: string } | undefined {
  let dir = dirname(file)
  const visited: string[] = []
  for (;;) {
    if (packageCache.has(dir)) {
      const hit = packageCache.get(dir)
      for (const v of visited) packageCache.set(v, hit)
      return hit
    }
    visited.push(dir)
    const candidate = join(dir, 'package.json')
    try {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string }
      if (pkg.name) {
        const hit = { name: pkg.name, version: pkg.version ?? '0.0.0', file: candidate }
        for (const v of visited) packageCache.set(v, hit)
        return hit
      }
    } catch {
      // no package.json here
    }
    const up = dirname(dir)
    if (up === dir) {
      for (const v of visited) packageCache.set(v, undefined)
      return undefined
    }
    dir = up
  }
}
