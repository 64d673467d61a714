/**
 * End to end: a running target's log is on disk as it runs (`coin log T --attempt last`), `coin
 * log -f T` follows it to the end, and `coin log T` then shows the log of the output in place.
 */
import { existsSync, readFileSync } from 'node:fs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { TempProject } from '../helpers/project.ts'

const COINFILE = `import { defineCoinfile, sh, shell } from 'coin'
const slow = shell({
  name: 'slow',
  command: ({ out }) => sh\`echo first line; while [ ! -e gate ]; do sleep 0.1; done; echo second line; touch \${out}/done\`,
})
export default defineCoinfile({ targets: () => [slow('train/slow')] })
`

const waitFor = async (what: () => boolean, ms = 60_000) => {
  const until = Date.now() + ms
  while (!what()) {
    if (Date.now() > until) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 100))
  }
}

test('the log is written as the target runs; -f follows it; the finished output shows its log', async () => {
  const p = new TempProject({ 'Coinfile.ts': COINFILE })
  const build = p.spawn('build')
  const done = new Promise<number>((resolve) => build.on('close', (code) => resolve(code ?? -1)))
  const log = p.path('cache/logs/train/slow.log')
  await waitFor(() => existsSync(log) && readFileSync(log, 'utf8').includes('first line'))
  const midway = p.coin('log', 'train/slow', '--attempt', 'last')
  assert.is(midway.code, 0, midway.stderr)
  assert.is(midway.stdout, 'first line\n')

  const follower = p.spawn('log', '-f', 'train/slow')
  let followed = ''
  follower.stdout!.on('data', (c) => {
    followed += c
  })
  const followerDone = new Promise<number>((resolve) => follower.on('close', (code) => resolve(code ?? -1)))
  await waitFor(() => followed.includes('first line'))
  p.write({ gate: '' })
  assert.is(await done, 0)
  assert.is(await followerDone, 0)
  assert.is(followed, 'first line\nsecond line\n')
  assert.is(p.coin('log', 'train/slow').stdout, 'first line\nsecond line\n')
  p.remove()
})

test.run()
