// Compiles coin's TypeScript (src/, rules/, datasets/) to dist/ as plain ES modules, one .js per .ts
// file in the same layout, so the CLI starts without a TypeScript loader. Every import stays an
// import (nothing is bundled): modules still load only when used, and a built-in rule's module
// stays its own file (its identity in keys is that file's digest). Runs on `npm ci` via `prepare`.
// With --types it also writes the declarations (dist/**/*.d.ts) that type-check a user's Coinfile.
//   node tools/build.mjs --types  (npm run build, and prepare)
//   node tools/build.mjs          (npm test: the JavaScript only, ~1 s)
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cpSync, existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { globSync } from 'tinyglobby'

const root = fileURLToPath(new URL('..', import.meta.url))
const outdir = `${root}dist`

/** Keeps every import external; a relative `./x.ts` becomes `./x.js` (the file esbuild writes). */
const keepImports = {
  name: 'keep-imports',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point') return undefined
      const path = /^\.\.?\//.test(args.path) ? args.path.replace(/\.ts$/, '.js') : args.path
      return { path, external: true }
    })
  },
}

const entryPoints = globSync(['src/**/*.ts', 'rules/**/*.ts', 'datasets/**/*.ts'], {
  cwd: root,
  absolute: true,
})
// Built aside and swapped in, so a CLI running meanwhile (or a test) never sees a half-built dist/.
const next = `${root}dist.next-${process.pid}`
const old = `${root}dist.old-${process.pid}`
rmSync(next, { recursive: true, force: true })
await build({
  entryPoints,
  outdir: next,
  outbase: root,
  bundle: true,
  plugins: [keepImports],
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
})
// The build id (src/coin-build.ts): caches of coin's own analysis are keyed by it.
const sources = createHash('sha256')
for (const f of [...entryPoints].sort()) sources.update(f.slice(root.length)).update(readFileSync(f))
sources.update(readFileSync(`${root}package.json`))
writeFileSync(`${next}/build-id`, `${sources.digest('hex').slice(0, 32)}\n`)
// Data read next to the code travels with it: template sets, `coin init`'s starter files, the
// shell server's script.
cpSync(`${root}src/cli/init`, `${next}/src/cli/init`, { recursive: true })
cpSync(`${root}src/exec/shell-server.bash`, `${next}/src/exec/shell-server.bash`)
cpSync(`${root}datasets/templates`, `${next}/datasets/templates`, {
  recursive: true,
  filter: (src) => !src.endsWith('.ts'),
})

if (process.argv.includes('--types')) {
  const pkg = createRequire(import.meta.url).resolve('typescript/package.json')
  const tsc = `${pkg.slice(0, -'package.json'.length)}bin/tsc`
  const r = spawnSync(process.execPath, [tsc, '-p', `${root}tsconfig.build.json`, '--outDir', next], {
    stdio: 'inherit',
  })
  if (r.status !== 0) {
    rmSync(next, { recursive: true, force: true })
    process.exit(r.status ?? 1)
  }
} else if (existsSync(outdir)) {
  // A JavaScript-only build (npm test) keeps the declarations the last full build wrote.
  cpSync(outdir, next, {
    recursive: true,
    force: false,
    filter: (src) => statSync(src).isDirectory() || src.endsWith('.d.ts'),
  })
}
if (existsSync(outdir)) renameSync(outdir, old)
renameSync(next, outdir)
rmSync(old, { recursive: true, force: true })
