/**
 * Loads a Coinfile.ts with tsx. A syntax error, a missing import or an exception while the module
 * evaluates becomes a UserError with the file and line; nothing else in coin has run yet.
 */
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { UserError } from '../errors.ts'
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
  const { tsImport } = await import('tsx/esm/api')
  let mod: Record<string, unknown>
  try {
    mod = (await tsImport(pathToFileURL(abs).href, import.meta.url)) as Record<string, unknown>
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
  const e = err as Error & {
    errors?: { text: string; location?: { line: number; column: number; file: string } }[]
  }
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
