/**
 * `ctx.scratch` under the Slurm executor: the action carries the key's scratch path, so the
 * `coin exec` worker on the node runs the rule with it (`${scratch}`, `$COIN_SCRATCH`); a failed
 * job keeps it for the next attempt, and the worker's commit drops it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { BuildEvent } from '../../src/events.ts'
import { TempProject } from '../helpers/project.ts'
import { build, slurmAvailable } from './cluster.ts'

const SLURM = ['--executor', 'slurm', '--slurm-poll', '250', '--slurm-time', '5']

// Counts its attempts in the scratch directory; succeeds from the second one on.
const COINFILE = `
import { defineCoinfile, sh, shell } from 'coin'
const attempt = shell({
  name: 'attempt',
  command: ({ scratch, out }) =>
    sh\`c=$(cat \${scratch + '/count'} 2>/dev/null || echo 0); c=$((c+1)); echo $c > "$COIN_SCRATCH/count"; echo "attempt $c in $COIN_SCRATCH"; [ $c -ge 2 ] && echo $c > \${out + '/attempts.txt'}\`,
})
export default defineCoinfile({ targets: () => [attempt('work/attempt')] })
`

const keyOf = (events: BuildEvent[]) => {
  const start = events.find((e) => e.event === 'start')
  assert.ok(start && start.event === 'start', 'no start event')
  return start.key
}

if (slurmAvailable()) {
  test('a failed Slurm job keeps the scratch; the next job of the key sees it; the worker’s commit drops it', () => {
    const p = new TempProject({ 'Coinfile.ts': COINFILE })
    const first = build(p, 'work/attempt', ...SLURM)
    assert.is(first.code, 1, first.stderr)
    const key = keyOf(first.events)
    const dir = p.path(`cache/scratch/${key}`)
    assert.is(readFileSync(`${dir}/count`, 'utf8'), '1\n')

    const second = build(p, 'work/attempt', ...SLURM)
    assert.is(second.code, 0, second.stderr)
    assert.is(second.outcomes['work/attempt'], 'ran')
    const logs = second.events.flatMap((e) => (e.event === 'log' ? [e.line] : []))
    assert.ok(logs.includes(`attempt 2 in ${dir}`), logs.join('\n'))
    assert.is(p.read('cache/out/work/attempt.out/attempts.txt'), '2\n')
    assert.not.ok(existsSync(dir), 'committed by the worker: the scratch directory is dropped')
    assert.equal(readdirSync(p.path('cache/scratch')), [])
    p.remove()
  })
}

test.run()
