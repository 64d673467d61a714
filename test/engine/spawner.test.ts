/**
 * The spawner helper (src/exec/spawner.ts): output and exit status come back, a kill reaches the
 * command's whole process group, and a coin that dies takes its commands with it.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnViaHelper, stopSpawner } from '../../src/exec/spawner.ts'
import { repoRoot as repo } from '../helpers/project.ts'

function run(script: string) {
  const out: string[] = []
  const err: string[] = []
  const p = spawnViaHelper(
    {
      file: 'bash',
      args: ['-c', script],
      cwd: tmpdir(),
      env: { ...process.env, COIN_TEST_VAR: 'from coin' },
    },
    { stdout: (t) => out.push(t), stderr: (t) => err.push(t) },
  )
  return { p, out, err }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (cond()) return true
    await new Promise((r) => setTimeout(r, 50))
  }
  return cond()
}

test('stdout, stderr, the environment and the exit code come back', async () => {
  const { p, out, err } = run('echo "$COIN_TEST_VAR"; pwd; echo oops >&2; exit 3')
  const exit = await p.done
  assert.equal(exit, { code: 3, signal: null })
  assert.is(out.join(''), `from coin\n${tmpdir()}\n`)
  assert.is(err.join(''), 'oops\n')
  await stopSpawner()
})

test('a kill reaches the whole process group: a background child of the command dies too', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'coin-spawner-'))
  const { p } = run(`sleep 60 & echo $! > ${dir}/child; wait`)
  assert.ok(await until(() => readFileSafe(`${dir}/child`) !== '', 5000), 'the command started')
  const child = Number(readFileSafe(`${dir}/child`))
  assert.ok(alive(child))
  p.kill('SIGTERM')
  const exit = await p.done
  assert.ok(exit.signal === 'SIGTERM' || exit.code === 143, JSON.stringify(exit))
  assert.ok(await until(() => !alive(child), 5000), `sleep ${child} outlived the kill`)
  await stopSpawner()
})

test('when coin dies, the helper ends the commands it still runs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'coin-spawner-'))
  // A coin stand-in: starts a long command through the helper, then exits without waiting.
  const script = `
    import { spawnViaHelper } from ${JSON.stringify(join(repo, 'src/exec/spawner.ts'))}
    spawnViaHelper({ file: 'bash', args: ['-c', 'echo $$ > ${dir}/pid; exec sleep 60'], cwd: '/', env: process.env },
      { stdout() {}, stderr() {} })
    const wait = () => new Promise((r) => setTimeout(r, 50))
    const { existsSync } = await import('node:fs')
    while (!existsSync('${dir}/pid')) await wait()
    await wait()
    process.exit(0)
  `
  const file = join(dir, 'coin.mts')
  writeFileSync(file, script)
  const tsx = join(repo, 'node_modules', '.bin', 'tsx')
  execFileSync(tsx, [file], { cwd: repo, stdio: 'pipe', timeout: 20_000 })
  const pid = Number(readFileSafe(`${dir}/pid`))
  assert.ok(pid > 0, 'the command started')
  assert.ok(await until(() => !alive(pid), 5000), `the command ${pid} outlived coin`)
})

test('stopSpawner with no helper is a no-op, and a build can start a new one after', async () => {
  await stopSpawner()
  const { p, out } = run('echo again')
  assert.equal(await p.done, { code: 0, signal: null })
  assert.is(out.join(''), 'again\n')
  await stopSpawner()
})

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim()
  } catch {
    return ''
  }
}

test.run()
