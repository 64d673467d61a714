/** Slurm settings → sbatch flags, their layering, and the folding of Slurm's job states (no Slurm needed). */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mergeSettings, sbatchFlags } from '../../src/exec/slurm/settings.ts'
import { foldState, isFinal } from '../../src/exec/slurm/states.ts'

test('resources and settings become sbatch flags; GPUs by --gres (with a type) or --gpus', () => {
  const s = {
    partition: 'gpu',
    account: 'lab',
    qos: 'high',
    time: '2:00:00',
    gpuType: 'a100',
    extra: ['--exclusive'],
  }
  assert.equal(sbatchFlags(s, { cpu: 16, gpu: 8, memGB: 200 }), [
    '--partition=gpu',
    '--account=lab',
    '--qos=high',
    '--time=2:00:00',
    '--cpus-per-task=16',
    '--mem=204800M',
    '--gres=gpu:a100:8',
    '--exclusive',
  ])
  assert.equal(sbatchFlags({ gpuFlag: 'gpus' }, { cpu: 0, gpu: 2, memGB: 0 }), [
    '--cpus-per-task=1',
    '--gpus=2',
  ])
  assert.equal(sbatchFlags({}, { cpu: 1, gpu: 0, memGB: 0.5 }), ['--cpus-per-task=1', '--mem=512M'])
})

test('Coinfile < command line < target; unset values do not override', () => {
  const merged = mergeSettings(
    { partition: 'cpu', time: '1:00:00', retries: 1 },
    { partition: 'short', time: undefined },
    { partition: 'gpu' },
  )
  assert.equal(merged, { partition: 'gpu', time: '1:00:00', retries: 1 })
})

test("Slurm's states fold into coin's", () => {
  const cases: [string, string][] = [
    ['PENDING', 'pending'],
    ['REQUEUED', 'pending'],
    ['RUNNING', 'running'],
    ['COMPLETING', 'running'],
    ['COMPLETED', 'completed'],
    ['FAILED', 'failed'],
    ['OUT_OF_MEMORY', 'failed'],
    ['CANCELLED', 'cancelled'],
    ['TIMEOUT', 'timeout'],
    ['NODE_FAIL', 'node-fail'],
    ['BOOT_FAIL', 'node-fail'],
    ['PREEMPTED', 'preempted'],
  ]
  for (const [slurm, coin] of cases) assert.is(foldState(slurm), coin, slurm)
  assert.not.ok(isFinal('running'))
  assert.ok(isFinal('lost'))
})

test.run()
