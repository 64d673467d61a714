/**
 * `coin init [dir]`: a starter project: Coinfile.ts, package.json ("type": "module", which a
 * Coinfile needs, and allowScripts), tsconfig.json (for `coin check` and editors) and .gitignore.
 * Existing files are kept; an existing package.json only gains those two fields; an existing
 * Coinfile.ts is refused.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { basename, join, relative, resolve } from 'node:path'
import { UserError } from '../../errors.ts'

/**
 * npm (≥ 11.16) asks for every dependency's install script to be reviewed. esbuild's (through tsx,
 * which compiles the Coinfile) only checks its binary. onnxruntime-node's (the embedded learner's
 * runtime, an optional peer) downloads CUDA libraries the CPU learner never uses: denied.
 */
const ALLOW_SCRIPTS = { esbuild: true, 'onnxruntime-node': false }

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noEmit: true,
    skipLibCheck: true,
  },
  include: ['Coinfile.ts'],
}

export function run(dir: string | undefined) {
  const root = resolve(dir ?? '.')
  mkdirSync(root, { recursive: true })
  const coinfile = join(root, 'Coinfile.ts')
  const shown = (f: string) => {
    const rel = relative(process.cwd(), f)
    return rel === '' ? '.' : rel.startsWith('..') ? f : `./${rel}`
  }
  if (existsSync(coinfile))
    throw new UserError({
      message: `${shown(coinfile)} already exists`,
      file: coinfile,
      fix: 'coin init leaves an existing Coinfile alone: edit it, or init another folder (coin init my-project)',
    })
  const written: string[] = []
  const write = (name: string, text: string) => {
    writeFileSync(join(root, name), text)
    written.push(name)
  }
  write('Coinfile.ts', readFileSync(new URL('../init/Coinfile.ts.txt', import.meta.url), 'utf8'))
  const pkgFile = join(root, 'package.json')
  const existed = existsSync(pkgFile)
  const pkg = existed
    ? (JSON.parse(readFileSync(pkgFile, 'utf8')) as Record<string, unknown>)
    : {
        name: basename(root)
          .toLowerCase()
          .replace(/[^a-z0-9._-]+/g, '-'),
        private: true,
      }
  const allow = (pkg.allowScripts ?? {}) as Record<string, unknown>
  if (!existed || pkg.type !== 'module' || Object.keys(ALLOW_SCRIPTS).some((k) => !(k in allow))) {
    const updated = { ...pkg, type: 'module', allowScripts: { ...ALLOW_SCRIPTS, ...allow } }
    writeFileSync(pkgFile, `${JSON.stringify(updated, null, 2)}\n`)
    written.push(existed ? 'package.json (type, allowScripts)' : 'package.json')
  }
  if (!existsSync(join(root, 'tsconfig.json')))
    write('tsconfig.json', `${JSON.stringify(TSCONFIG, null, 2)}\n`)
  if (!existsSync(join(root, '.gitignore'))) write('.gitignore', 'node_modules/\ncache/\n')
  process.stdout.write(
    `wrote ${written.join(', ')} in ${shown(root)}\nnext: ${dir ? `cd ${dir} && ` : ''}npx coin build\n`,
  )
  return 0
}
