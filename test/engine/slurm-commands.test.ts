/**
 * sbatch while the controller is unreachable (restarting): retried until it answers, without a
 * second submission for any other error, and not retried once the jobs are no longer wanted. A
 * stand-in sbatch on PATH plays the controller (no Slurm needed); the real restart is in the
 * fault suite (faults/slurm.ts).
 */
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { SlurmCommands } from '../../src/exec/slurm/commands.ts'
import { tempDir } from '../helpers/temp.ts'

/** An sbatch that fails `failures` times with `message`, then prints job id 42; counts calls. */
function fakeSbatch(failures: number, message: string) {
  const dir = tempDir('coin-sbatch-')
  const count = join(dir, 'count')
  writeFileSync(count, '')
  writeFileSync(
    join(dir, 'sbatch'),
    `#!/bin/sh
echo x >> '${count}'
if [ "$(wc -l < '${count}')" -le ${failures} ]; then echo "sbatch: error: ${message}" >&2; exit 1; fi
echo 42
`,
  )
  chmodSync(join(dir, 'sbatch'), 0o755)
  const path = process.env.PATH
  process.env.PATH = `${dir}:${path}`
  return {
    calls: () => readFileSync(count, 'utf8').split('\n').filter(Boolean).length,
    restore: () => {
      process.env.PATH = path
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

const UNREACHABLE = 'Batch job submission failed: Unable to contact slurm controller (connect failure)'

test('an unreachable controller: sbatch is retried until it answers', async () => {
  const fake = fakeSbatch(2, UNREACHABLE)
  try {
    const c = new SlurmCommands(10_000, 10)
    assert.is(await c.sbatchArray('/dev/null', 1, [], tmpdir()), '42')
    assert.is(fake.calls(), 3)
    assert.is(c.calls.sbatch, 3)
  } finally {
    fake.restore()
  }
})

test('any other sbatch error fails at once; so does an unreachable controller past the wait', async () => {
  const other = fakeSbatch(1, 'Batch job submission failed: Invalid partition name specified')
  try {
    const err = await new SlurmCommands(10_000, 10).sbatchArray('/dev/null', 1, [], tmpdir()).catch((e) => e)
    assert.match(String(err), 'Invalid partition name specified')
    assert.is(other.calls(), 1)
  } finally {
    other.restore()
  }
  const down = fakeSbatch(1000, UNREACHABLE)
  try {
    const err = await new SlurmCommands(200, 50).sbatchArray('/dev/null', 1, [], tmpdir()).catch((e) => e)
    assert.match(String(err), 'Unable to contact slurm controller')
    assert.ok(down.calls() >= 2 && down.calls() < 10, String(down.calls()))
  } finally {
    down.restore()
  }
})

test('jobs no longer wanted (Ctrl-C): no retry', async () => {
  const fake = fakeSbatch(1000, UNREACHABLE)
  try {
    const err = await new SlurmCommands(10_000, 10)
      .sbatchArray('/dev/null', 1, [], tmpdir(), () => true)
      .catch((e) => e)
    assert.match(String(err), 'Unable to contact slurm controller')
    assert.is(fake.calls(), 1)
  } finally {
    fake.restore()
  }
})

test.run()
