/**
 * `ctx.scratch` (cache/scratch/<key>/), end to end through shell rules (`${scratch}` and
 * `$COIN_SCRATCH`): it survives a failed attempt of the same key, is dropped once the target
 * commits, a changed key starts with an empty one (and the old one goes), `coin gc` keeps the
 * current key's and drops the others, and the scratch path is not in the key.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { BuildEvent } from '../../src/events.ts'
import { parseEvents, TempProject } from '../helpers/project.ts'

// Counts its attempts in the scratch directory; succeeds from attempt `n` on.
const coinfile = (n: number) => `
import { defineCoinfile, sh, shell } from 'coin'
const attempt = shell<{ n: number }>({
  name: 'attempt',
  command: ({ scratch, out, params }) =>
    sh\`c=$(cat \${scratch + '/count'} 2>/dev/null || echo 0); c=$((c+1)); echo $c > "$COIN_SCRATCH/count"; echo "attempt $c in $COIN_SCRATCH"; [ $c -ge \${params.n} ] && echo $c > \${out + '/attempts.txt'}\`,
})
export default defineCoinfile({
  params: { n: ${n} },
  targets: (p) => [attempt('work/attempt', { params: { n: p.n } })],
})
`

const keyOf = (events: BuildEvent[]) => {
  const start = events.find((e) => e.event === 'start')
  assert.ok(start && start.event === 'start', 'no start event')
  return start.key
}
const logs = (events: BuildEvent[]) => events.flatMap((e) => (e.event === 'log' ? [e.line] : []))

test('a failed attempt keeps the scratch; the next attempt of the key sees it; commit drops it', () => {
  const p = new TempProject({ 'Coinfile.ts': coinfile(2) })
  const first = p.build('work/attempt')
  assert.is(first.code, 1, first.stderr)
  const key = keyOf(first.events)
  const dir = p.path(`cache/scratch/${key}`)
  assert.equal(logs(first.events), [`attempt 1 in ${dir}`])
  assert.is(readFileSync(`${dir}/count`, 'utf8'), '1\n')

  const second = p.build('work/attempt')
  assert.is(second.code, 0, second.stderr)
  assert.is(keyOf(second.events), key, 'the scratch path must not be in the key')
  assert.equal(logs(second.events), [`attempt 2 in ${dir}`])
  assert.is(p.read('cache/out/work/attempt.out/attempts.txt'), '2\n')
  assert.not.ok(existsSync(dir), 'committed: the scratch directory is dropped')
  assert.equal(readdirSync(p.path('cache/scratch')), [])

  const again = p.build('work/attempt')
  assert.is(again.outcomes['work/attempt'], 'fresh')

  // A leftover scratch of a committed key (a crash between commit and drop) goes in gc.
  p.write({ [`cache/scratch/${key}/count`]: '9\n' })
  assert.is(p.coin('gc').code, 0)
  assert.not.ok(existsSync(dir), 'gc drops the scratch of a committed key')
  p.remove()
})

test('a changed key starts with an empty scratch and drops the old one; gc keeps only the current key’s', () => {
  const p = new TempProject({ 'Coinfile.ts': coinfile(3) })
  const first = p.build('work/attempt')
  assert.is(first.code, 1)
  const oldKey = keyOf(first.events)
  assert.ok(existsSync(p.path(`cache/scratch/${oldKey}/count`)))

  // gc with the same Coinfile: the key is current, its progress is kept.
  assert.is(p.coin('gc').code, 0)
  assert.ok(existsSync(p.path(`cache/scratch/${oldKey}/count`)), 'gc must keep the current key’s scratch')

  const changed = p.build('work/attempt', '--set', 'n=4')
  assert.is(changed.code, 1)
  const newKey = keyOf(changed.events)
  assert.is.not(newKey, oldKey)
  assert.equal(logs(changed.events), [`attempt 1 in ${p.path(`cache/scratch/${newKey}`)}`])
  assert.not.ok(existsSync(p.path(`cache/scratch/${oldKey}`)), 'the old key’s scratch is dropped')

  // The Coinfile still says n=3: the n=4 key is not current, so gc drops its scratch.
  const gc = p.coin('gc')
  assert.is(gc.code, 0, gc.stderr)
  assert.match(gc.stdout, /1 scratch dirs of old keys/)
  assert.equal(readdirSync(p.path('cache/scratch')), [])
  // The note naming the target's last key goes with the scratch it named.
  assert.equal(readdirSync(p.path('cache/scratch-owners')), [])
  p.remove()
})

// A command whose work runs in a child process (a subshell here; `cd … && python3 …` in practice)
// that saves to the scratch on SIGTERM: on Ctrl-C coin must signal it, not only the shell.
const SAVER = `
import { defineCoinfile, sh, shell } from 'coin'
const saver = shell({
  name: 'saver',
  command: ({ root }) =>
    sh\`(trap 'echo saved > "$COIN_SCRATCH/saved"; exit 0' TERM; echo started > \${root + '/started'}; sleep 20 & wait $!); echo done\`,
})
export default defineCoinfile({ targets: () => [saver('work/saver')] })
`

test('Ctrl-C: the command’s child processes get SIGTERM and can save to the scratch before they stop', async () => {
  const p = new TempProject({ 'Coinfile.ts': SAVER })
  const child = p.spawn('build', '--json', 'work/saver')
  let out = ''
  child.stdout.on('data', (c) => {
    out += c
  })
  const t0 = Date.now()
  while (!existsSync(p.path('started'))) {
    if (Date.now() - t0 > 60_000) throw new Error('command did not start')
    await new Promise((r) => setTimeout(r, 50))
  }
  // 'started' is written inside the subshell once its trap is set (a fixed wait raced under load),
  // and it waits with the `wait` builtin, which a trapped signal interrupts at once (a foreground
  // `sleep` defers the trap until it ends, and under load that lost the save about one run in three).
  child.kill('SIGINT')
  assert.is(await new Promise((r) => child.on('close', r)), 130)
  const key = keyOf(parseEvents(out))
  const saved = p.path(`cache/scratch/${key}/saved`)
  const t1 = Date.now()
  while (!existsSync(saved) && Date.now() - t1 < 5000) await new Promise((r) => setTimeout(r, 50))
  assert.is(readFileSync(saved, 'utf8'), 'saved\n')
  p.remove()
})

test.run()
