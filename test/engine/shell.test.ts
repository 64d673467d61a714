/** Shell-command rules: zx quoting, logs, exit codes, GPU ids in the environment, and cancellation. */
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { TempProject } from '../helpers/project.ts'

const COINFILE = `
import { defineCoinfile, file, output, sh, shell } from 'coin'

const copy = shell({
  name: 'copy',
  command: ({ inputs, out }) => sh\`cp \${inputs.src} \${out + '/copy of input.txt'} && echo copied\`,
})
const gpu = shell({
  name: 'gpu',
  command: ({ out }) => sh\`echo "$CUDA_VISIBLE_DEVICES" > \${out + '/gpus.txt'}\`,
})
const fail = shell({ name: 'fail', command: () => sh\`echo oops >&2; exit 3\` })
const sleepy = shell({ name: 'sleepy', command: ({ root }) => sh\`echo $$ > \${root + '/pid'}; exec sleep 30\` })

export default defineCoinfile({
  targets: () => [
    copy('c/copy', { inputs: { src: file('weird name; $(rm -rf x).txt') } }),
    gpu('c/gpu', { resources: { gpu: 2 } }),
    fail('c/fail'),
    sleepy('c/sleepy'),
  ],
})
`

test('arguments are quoted by zx: a file name with spaces and shell syntax is just a name', () => {
  const p = new TempProject({
    'Coinfile.ts': COINFILE,
    'weird name; $(rm -rf x).txt': 'payload',
    x: 'keep me',
  })
  const r = p.build('c/copy')
  assert.is(r.code, 0, r.stderr)
  assert.is(
    readFileSync(join(p.coin('path', 'c/copy').stdout.trim(), 'copy of input.txt'), 'utf8'),
    'payload',
  )
  assert.ok(existsSync(p.path('x')))
  assert.match(p.coin('log', 'c/copy').stdout, 'copied')
  p.remove()
})

test('a job asking for 2 GPUs sees two ids in CUDA_VISIBLE_DEVICES', () => {
  const p = new TempProject({ 'Coinfile.ts': COINFILE, 'weird name; $(rm -rf x).txt': '' })
  const r = p.build('c/gpu', '--gpus', '3,5,7')
  assert.is(r.code, 0, r.stderr)
  assert.is(readFileSync(join(p.coin('path', 'c/gpu').stdout.trim(), 'gpus.txt'), 'utf8').trim(), '3,5')
  p.remove()
})

test('a failing command fails the target with its exit code and stderr, logged', () => {
  const p = new TempProject({ 'Coinfile.ts': COINFILE, 'weird name; $(rm -rf x).txt': '' })
  const r = p.build('c/fail')
  assert.is(r.code, 1)
  const ev = r.events.find((e) => e.event === 'target' && e.id === 'c/fail') as { error?: string }
  assert.match(ev.error ?? '', 'exited with code 3: oops')
  assert.match(p.coin('log', 'c/fail').stdout, 'oops')
  p.remove()
})

test('SIGINT kills the running command and records nothing', async () => {
  const p = new TempProject({ 'Coinfile.ts': COINFILE, 'weird name; $(rm -rf x).txt': '' })
  const child = p.spawn('build', 'c/sleepy')
  const t0 = Date.now()
  while (!existsSync(p.path('pid')) || !readFileSync(p.path('pid'), 'utf8').trim()) {
    if (Date.now() - t0 > 20_000) throw new Error('command did not start')
    await new Promise((r) => setTimeout(r, 50))
  }
  const pid = Number(readFileSync(p.path('pid'), 'utf8'))
  child.kill('SIGINT')
  const code = await new Promise((r) => child.on('close', r))
  assert.is(code, 130)
  await new Promise((r) => setTimeout(r, 300))
  let alive = true
  try {
    execFileSync('kill', ['-0', String(pid)], { stdio: 'ignore' })
  } catch {
    alive = false
  }
  assert.not.ok(alive, 'the sleep process was killed')
  assert.not.ok(existsSync(p.path('cache/actions')))
  p.remove()
})

test.run()
