/**
 * A full disk (injected ENOSPC on every write under cache/ after N successful ones) is an
 * environment failure: exit 1 with a clear message, no stack trace, no temp file or half-written
 * record left, and the next build (with space again) completes correctly.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { repoRoot, SIMPLE_COINFILE, TempProject } from '../helpers/project.ts'

const PRELOAD = join(repoRoot, 'faults', 'enospc-preload.mjs')

export const leftovers = (dir: string): string[] => {
  const out: string[] = []
  const walk = (d: string) => {
    if (!existsSync(d)) return
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name)
      if (e.name.endsWith('.tmp')) out.push(p)
      if (e.isDirectory()) walk(p)
    }
  }
  walk(dir)
  const staging = join(dir, 'staging')
  if (existsSync(staging)) out.push(...readdirSync(staging).map((n) => join(staging, n)))
  return out
}

test('ENOSPC at any write of a build: exit 1, a clear message, nothing half-written', () => {
  const p = new TempProject({ 'Coinfile.ts': SIMPLE_COINFILE, 'a.txt': 'hello\n' })
  const seen = new Set<number>()
  for (const after of [0, 3, 6, 10]) {
    rmSync(p.path('cache'), { recursive: true, force: true })
    const env = {
      NODE_OPTIONS: `--import=${PRELOAD}`,
      COIN_FAULT_ENOSPC_DIR: p.path('cache'),
      COIN_FAULT_ENOSPC_AFTER: String(after),
    }
    const f = p.coinWith(env, 'build')
    seen.add(f.code)
    assert.ok(f.code === 1 || f.code === 0, `after ${after} writes: exit ${f.code}\n${f.stderr}`)
    assert.not.match(f.stderr, /internal error|bug in coin/, `after ${after}`)
    if (f.code === 1) assert.match(f.stdout + f.stderr, /no space left on device/i, `after ${after}`)
    assert.equal(leftovers(p.path('cache')), [], `after ${after}: temp files left`)
    const actions = p.path('cache/actions')
    if (existsSync(actions))
      for (const sub of readdirSync(actions))
        for (const name of readdirSync(join(actions, sub))) {
          const key = name.replace(/\.json$/, '')
          const rec = JSON.parse(readFileSync(join(actions, sub, name), 'utf8'))
          assert.is(rec.key, key, `after ${after}: ${name}`)
          assert.ok(Array.isArray(rec.files), `after ${after}: ${name}`)
          assert.ok(statSync(join(actions, sub, name)).size > 0)
        }
    const again = p.build()
    assert.is(again.code, 0, again.stderr)
    assert.is(readFileSync(p.path('cache/out/data/count.out/count.txt'), 'utf8'), '12')
  }
  assert.ok(seen.has(1), 'at least one trial ran out of space')
  p.remove()
})

test.run()
