import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { test } from 'uvu'
import * as assert from 'uvu/assert'

const root = fileURLToPath(new URL('../..', import.meta.url))

/**
 * Imports `modules` in a fresh Node with a resolve hook that refuses DuckDB and vega, so any
 * static import of them (direct or transitive) makes the import fail.
 */
function importWithoutHeavyDeps(modules: string[]): { status: number | null; stderr: string } {
  const hook = `export async function resolve(specifier, context, next) {
    if (/^(@duckdb\\/|vega)/.test(specifier)) throw new Error('loaded eagerly: ' + specifier)
    return next(specifier, context)
  }`
  const registration = `import { register } from 'node:module'
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}))`
  const body = modules.map((m) => `await import(${JSON.stringify(m)})`).join('\n')
  const child = spawnSync(
    process.execPath,
    [
      '--import',
      `data:text/javascript,${encodeURIComponent(registration)}`,
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      body,
    ],
    { cwd: root, encoding: 'utf8' },
  )
  return { status: child.status, stderr: child.stderr }
}

test('importing results, reports, their CLI commands and the run recorder loads neither DuckDB nor vega', () => {
  const result = importWithoutHeavyDeps([
    './src/results/index.ts',
    './rules/reports/index.ts',
    './src/cli/commands/metrics.ts',
    './src/cli/commands/query.ts',
    './src/cli/commands/show.ts',
    './src/cli/commands/diff.ts',
    './src/cli/commands/build.ts',
    './src/cli/run-recorder.ts',
  ])
  assert.is(result.status, 0, result.stderr)
})

test('the hook does catch a static import (control)', () => {
  const result = importWithoutHeavyDeps(['@duckdb/node-api'])
  assert.is.not(result.status, 0)
  assert.match(result.stderr, /loaded eagerly: @duckdb\/node-api/)
})

test.run()
