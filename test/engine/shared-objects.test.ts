/**
 * Two targets with the same key share their objects. A corrupt object found by one of them is
 * deleted only if it is still the file that was hashed: meanwhile the other target may have
 * rebuilt it, and deleting the fresh object made the next materialise crash (exit 70).
 */

import type { Stats } from 'node:fs'
import { chmodSync, existsSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { CacheLayout } from '../../src/cache/layout.ts'
import { Store } from '../../src/cache/store.ts'
import { StatCache } from '../../src/hash/stat-cache.ts'
import { TempProject } from '../helpers/project.ts'
import { tempDir } from '../helpers/temp.ts'

/** A stat cache whose hashing is slow enough for another target to replace the object meanwhile. */
class SwappingStatCache extends StatCache {
  swap: (() => void) | undefined
  override async digest(path: string, st?: Stats): Promise<string> {
    const d = await super.digest(path, st)
    this.swap?.()
    return d
  }
}

test('verify keeps an object that was replaced by a good one while the corrupt one was hashed', async () => {
  const dir = tempDir('coin-shared-')
  const stat = new SwappingStatCache(undefined)
  const store = new Store(new CacheLayout(dir), stat)
  const staging = store.newStaging()
  writeFileSync(join(staging, 'out', 'a.txt'), 'good')
  const meta = {
    key: 'e'.repeat(32),
    keyData: {} as never,
    rule: 'r',
    target: 't',
    startedAt: '',
    durationMs: 0,
    executor: 'local',
    host: '',
  }
  const record = await store.commit(staging, meta, undefined)
  const obj = store.layout.object(record.files[0]!.digest)
  chmodSync(obj, 0o644)
  writeFileSync(obj, 'bad!')
  stat.swap = () => {
    // The other target rebuilt the output: a new, good object (a new inode) at the same path.
    writeFileSync(`${obj}.new`, 'good')
    renameSync(`${obj}.new`, obj)
  }
  const v = await store.verify(record)
  assert.is(v.ok, false, 'the object it hashed was corrupt')
  assert.ok(existsSync(obj), 'the good object that replaced it is kept')
  rmSync(dir, { recursive: true, force: true })
})

test('targets sharing a key survive a corrupted shared object: clean rebuild, exit 0', () => {
  const p = new TempProject({
    'Coinfile.ts': `
import { writeFileSync } from 'node:fs'
import { defineCoinfile, rule } from 'coin'
const same = rule({ name: 'same', async run({ out }) { writeFileSync(out + '/x.txt', 'identical output') } })
export default defineCoinfile({ targets: () => [same('a'), same('b'), same('c')] })
`,
  })
  assert.is(p.build().code, 0)
  const obj = statSync(p.path('cache/out/a.out/x.txt'))
  chmodSync(p.path('cache/out/a.out/x.txt'), 0o644)
  writeFileSync(p.path('cache/out/a.out/x.txt'), 'truncated')
  assert.ok(obj.nlink >= 3, 'a, b and c link one object')
  const r = p.build()
  assert.is(r.code, 0, r.stderr)
  for (const id of ['a', 'b', 'c']) assert.is(p.read(`cache/out/${id}.out/x.txt`), 'identical output')
  p.remove()
})

test.run()
