// Runs every uvu suite (test/**/*.test.ts) in one process under tsx and prints the closing
// `N passed, N failed` line that CI reads (uvu's own summary is not a format CI understands).
// Usage: npm test [-- <pattern>]   e.g. npm test -- engine/graph
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const pattern = process.argv[2] ?? '.*'
const uvu = fileURLToPath(new URL('../node_modules/uvu/bin.js', import.meta.url))
const child = spawn(process.execPath, ['--import', 'tsx', uvu, 'test', `(${pattern}).*\\.test\\.ts$`], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
})
let out = ''
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk)
  out += chunk.toString()
})
child.on('close', (code) => {
  const total = Number(/Total:\s+(\d+)/.exec(out)?.[1] ?? 0)
  const passed = Number(/Passed:\s+(\d+)/.exec(out)?.[1] ?? 0)
  const skipped = Number(/Skipped:\s+(\d+)/.exec(out)?.[1] ?? 0)
  // uvu stops counting a suite when it throws outside a test; a non-zero exit is a failure.
  const failed = Math.max(total - passed - skipped, code === 0 ? 0 : 1)
  console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`)
  process.exit(code === 0 && failed === 0 && total > 0 ? 0 : 1)
})
