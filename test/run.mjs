// Runs every uvu suite (test/**/*.test.ts) in one process under tsx, then the Python tests
// (scripts/tests/test_*.py) under pytest, and prints ONE closing `N passed, N failed, N skipped`
// line over both (the line CI reads; neither runner's own summary counts the other's tests).
// Usage: npm test [-- <pattern>]   e.g. npm test -- engine/graph
//   The pattern is a case-insensitive regex matched against `test/`-relative TypeScript paths
//   (`engine/graph.test.ts`) and repo-relative Python paths (`scripts/tests/test_moelora.py`), so
//   `npm test -- scripts/` runs only the Python tests and `npm test -- engine/` only TypeScript.
import { spawn } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const pattern = process.argv[2] ?? '.*'
const matches = (name) => new RegExp(pattern, 'i').test(name)
const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' }

/** Files under `dir` (relative to `base`) whose name passes `keep`, sorted. */
function files(dir, keep, base = dir) {
  let entries = []
  try {
    entries = readdirSync(dir, { withFileTypes: true })
  } catch {
    return []
  }
  return entries
    .flatMap((e) => {
      const path = join(dir, e.name)
      if (e.isDirectory()) return e.name === '__pycache__' ? [] : files(path, keep, base)
      const name = relative(base, path)
      return keep(name) ? [name] : []
    })
    .sort()
}

/** Runs a command, echoing its stdout, and resolves with { code, out }. */
function run(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env })
    let out = ''
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk)
      out += chunk.toString()
    })
    child.on('error', (error) => resolve({ code: 127, out: String(error) }))
    child.on('close', (code) => resolve({ code: code ?? 1, out }))
  })
}

async function typescript() {
  const suites = files(join(root, 'test'), (n) => new RegExp(`(${pattern}).*\\.test\\.ts$`, 'i').test(n))
  if (suites.length === 0) return { passed: 0, failed: 0, skipped: 0 }
  const uvu = fileURLToPath(new URL('../node_modules/uvu/bin.js', import.meta.url))
  const { code, out } = await run(process.execPath, [
    '--import',
    'tsx',
    uvu,
    'test',
    `(${pattern}).*\\.test\\.ts$`,
  ])
  const total = Number(/Total:\s+(\d+)/.exec(out)?.[1] ?? 0)
  const passed = Number(/Passed:\s+(\d+)/.exec(out)?.[1] ?? 0)
  const skipped = Number(/Skipped:\s+(\d+)/.exec(out)?.[1] ?? 0)
  // uvu stops counting a suite when it throws outside a test; a non-zero exit is a failure.
  const failed = Math.max(total - passed - skipped, code === 0 && total > 0 ? 0 : 1)
  return { passed, failed, skipped }
}

async function python() {
  const tests = files(join(root, 'scripts', 'tests'), (n) => /(^|\/)test_[^/]*\.py$/.test(n), root).filter(
    matches,
  )
  if (tests.length === 0) return { passed: 0, failed: 0, skipped: 0 }
  const python = process.env.PYTHON ?? 'python3'
  const { code, out } = await run(python, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', ...tests])
  // pytest's last line: "3 passed, 1 failed, 2 skipped, 1 error in 4.2s" (any subset, any order).
  const count = (word) =>
    Number(new RegExp(`(\\d+) ${word}`).exec(out.split('\n').filter(Boolean).at(-1) ?? '')?.[1] ?? 0)
  const passed = count('passed')
  const skipped = count('skipped')
  let failed = count('failed') + count('errors?')
  if (code !== 0 && failed === 0) {
    // pytest itself could not run (not installed, collection crashed): one failure, with the fix.
    console.log(
      `\npytest exited ${code}: install the Python side with  pip install -r scripts/requirements.txt -r scripts/requirements-dev.txt`,
    )
    failed = 1
  }
  return { passed, failed, skipped }
}

const ts = await typescript()
const py = await python()
const sum = (k) => ts[k] + py[k]
if (sum('passed') + sum('failed') === 0) console.log(`\nno test matches ${pattern}`)
console.log(`\n${sum('passed')} passed, ${sum('failed')} failed, ${sum('skipped')} skipped`)
process.exit(sum('failed') === 0 && sum('passed') > 0 ? 0 : 1)
