/**
 * Loads a Coinfile.ts the way vite loads its config: esbuild bundles the Coinfile with the
 * project's own modules (packages, `coin` included, stay imports), the bundle is written next to
 * it, imported, and deleted. tsx did the same per module through Node's loader hooks, which start
 * a second V8 isolate: ~150 ms of every build that loads the Coinfile, and ~40 MiB of memory.
 * A syntax error, a missing import or an exception while the module evaluates becomes a
 * UserError with the file and line; nothing else in coin has run yet.
 */
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { UserError } from '../errors.ts'
import { type BundleProblem, bundleCoinfile } from './bundle.ts'
import type { Coinfile } from './define.ts'

export interface LoadedCoinfile {
  path: string
  root: string
  source: string
  coinfile: Coinfile
}

export async function loadCoinfile(path: string): Promise<LoadedCoinfile> {
  const abs = resolve(path)
  if (!existsSync(abs)) throw missingCoinfile(abs)
  const source = readFileSync(abs, 'utf8')
  let mod: Record<string, unknown>
  try {
    mod = await bundleCoinfile(abs)
  } catch (err) {
    throw loadError(err, abs)
  }
  // A Coinfile under a package.json without "type": "module" loads as CommonJS: unwrap it.
  let exported = mod.default as Record<string, unknown> | undefined
  if (
    exported &&
    exported.kind !== 'coinfile' &&
    (exported.default as { kind?: string } | undefined)?.kind === 'coinfile'
  )
    exported = exported.default as Record<string, unknown>
  if (exported?.kind !== 'coinfile')
    throw new UserError({
      message: 'the Coinfile has no `export default defineCoinfile({...})`',
      file: abs,
      fix: "add: import { defineCoinfile } from 'coin'; export default defineCoinfile({ targets: () => [...] })",
    })
  return { path: abs, root: resolve(abs, '..'), source, coinfile: exported as unknown as Coinfile }
}

export function missingCoinfile(abs: string): UserError {
  return new UserError({
    message: `no Coinfile at ${abs}`,
    file: abs,
    fix: 'run coin in a directory with a Coinfile.ts, or pass -f path/to/Coinfile.ts',
  })
}

function loadError(err: unknown, file: string): UserError {
  if (err instanceof UserError) return err
  const e = err as Error & { errors?: BundleProblem[] }
  const first = e.errors?.[0]
  if (first?.location && /Could not resolve/.test(first.text))
    return new UserError({
      message: `the Coinfile imports something that cannot be found: ${first.text}`,
      file: resolve(first.location.file),
      line: first.location.line,
      fix: "check the import paths; coin's own API is imported from 'coin'",
    })
  if (first?.location)
    return new UserError({
      message: `the Coinfile does not compile: ${first.text}`,
      file: resolve(first.location.file),
      line: first.location.line,
      fix: 'fix the syntax error at that line',
    })
  // esbuild (inside tsx) reports syntax errors as `file:line:col: ERROR: text`.
  const m = /:(\d+):(\d+): ERROR: (.*)/.exec(e.message ?? '')
  if (m)
    return new UserError({
      message: `the Coinfile does not compile: ${m[3]}`,
      file,
      line: Number(m[1]),
      fix: 'fix the syntax error at that line',
    })
  if ((e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND')
    return new UserError({
      message: `the Coinfile imports something that cannot be found: ${e.message.split('\n')[0]}`,
      file,
      fix: "check the import paths; coin's own API is imported from 'coin'",
    })
  const line = stackLine(e, file)
  return new UserError({
    message: `the Coinfile threw while loading: ${e.message?.split('\n')[0] ?? String(err)}`,
    file,
    line,
    fix: 'fix the error at that line',
  })
}

function stackLine(e: Error, file: string): number | undefined {
  for (const l of e.stack?.split('\n') ?? []) {
    const i = l.indexOf(file)
    if (i < 0) continue
    const m = /^:(\d+):\d+/.exec(l.slice(i + file.length))
    if (m) return Number(m[1])
  }
  return undefined
}
