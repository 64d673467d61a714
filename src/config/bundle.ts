/**
 * Bundles a Coinfile and the project modules it imports into one ES module and imports that, as
 * vite does with its config file. Packages (node_modules, `coin` itself) stay imports, so the
 * Coinfile shares coin's own module instances. The bundle is written next to the Coinfile (its
 * imports resolve from there, as the Coinfile's would) under a name unique to this process, and
 * removed once imported. Each module keeps its own `import.meta.url`, `__dirname` and
 * `__filename`; an inline source map points stack traces at the original lines.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Plugin } from 'esbuild'
import { processAlive } from '../cache/process.ts'
import { UserError } from '../errors.ts'
import { esbuildLoader } from '../fingerprint/module-graph.ts'

export interface BundleProblem {
  text: string
  location?: { file: string; line: number; column: number } | null
}

// Replaced in every module by that module's own values (defined at the top of each).
const META = {
  'import.meta.url': '__coin_meta_url',
  'import.meta.dirname': '__coin_meta_dirname',
  'import.meta.filename': '__coin_meta_filename',
  __dirname: '__coin_meta_dirname',
  __filename: '__coin_meta_filename',
}

/** Gives each bundled module its own file's `import.meta.url`, `__dirname` and `__filename`. */
const perModuleMeta: Plugin = {
  name: 'coin-module-meta',
  setup(b) {
    b.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8')
      // On the first line, so line numbers (stack traces, diagnostics) stay the file's own.
      const head =
        `const __coin_meta_url = ${JSON.stringify(pathToFileURL(args.path).href)}, ` +
        `__coin_meta_dirname = ${JSON.stringify(dirname(args.path))}, ` +
        `__coin_meta_filename = ${JSON.stringify(args.path)};`
      const shebang = text.startsWith('#!') ? text.indexOf('\n') + 1 : 0
      const contents = `${text.slice(0, shebang)}${head}${text.slice(shebang)}`
      return { contents, loader: esbuildLoader(args.path) }
    })
  },
}

let counter = 0

/** The Coinfile at `abs`, bundled and imported: its module's exports. */
export async function bundleCoinfile(abs: string): Promise<Record<string, unknown>> {
  // Imported here: load.ts is on the no-op's path (which never loads the Coinfile), and esbuild's
  // API module cost that path ~35 ms (1k-target no-op, 15 alternating runs).
  const { build } = await import('esbuild')
  const result = await build({
    entryPoints: [abs],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: `node${process.versions.node.split('.')[0]}`,
    packages: 'external',
    sourcemap: 'inline',
    sourcesContent: false,
    define: META,
    plugins: [perModuleMeta],
    logLevel: 'silent',
  })
  const code = result.outputFiles[0]?.text ?? ''
  removeOrphans(abs)
  const file = `${abs}.coin-${process.pid}-${counter++}.mjs`
  try {
    writeFileSync(file, code)
  } catch (err) {
    throw new UserError({
      message: `coin cannot write the Coinfile's bundle next to it (${(err as Error).message})`,
      file: abs,
      fix: "make the Coinfile's folder writable: coin writes <Coinfile>.coin-<pid>-<n>.mjs there while it loads",
    })
  }
  process.setSourceMapsEnabled(true)
  try {
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>
  } finally {
    rmSync(file, { force: true })
  }
}

/** Bundles left by a coin that was killed while it imported one (their process is gone). */
function removeOrphans(abs: string): void {
  const prefix = `${basename(abs)}.coin-`
  for (const name of readdirSync(dirname(abs))) {
    if (!name.startsWith(prefix) || !name.endsWith('.mjs')) continue
    const pid = Number(name.slice(prefix.length).split('-')[0])
    if (Number.isInteger(pid) && pid !== process.pid && !processAlive(pid))
      rmSync(join(dirname(abs), name), { force: true })
  }
}
