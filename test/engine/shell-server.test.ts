/**
 * The shell server (src/exec/shell-server.ts): a command's output, environment and exit status come
 * back as `bash -c 'set -euo pipefail;…'` would give them, commands do not see each other's
 * environment, a kill reaches the command's whole process group, and a coin that dies takes its
 * commands with it.
 */
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { runShell, stopShellServer } from '../../src/exec/shell-server.ts'
import { repoRoot as repo } from '../helpers/project.ts'
import { tempDir } from '../helpers/temp.ts'

const dir = tempDir('coin-shell-server-')
let n = 0

function run(command: string, o: { cwd?: string; env?: Record<string, string> } = {}) {
  const out: string[] = []
  const err: string[] = []
  const i = n++
  const p = runShell(
    {
      command,
      cwd: o.cwd ?? dir,
      env: o.env ?? {},
      stdoutFile: join(dir, `${i}.stdout`),
      stderrFile: join(dir, `${i}.stderr`),
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

const outputFiles = () => readdirSync(dir).filter((f) => /\.std(out|err)$/.test(f))

test('stdout, stderr, the environment, the cwd and the exit code come back; the files are removed', async () => {
  const { p, out, err } = run('echo "$COIN_TEST_VAR"; pwd; echo oops >&2; exit 3', {
    env: { COIN_TEST_VAR: 'from coin' },
  })
  assert.equal(await p.done, { code: 3, signal: null })
  assert.is(out.join(''), `from coin\n${dir}\n`)
  assert.is(err.join(''), 'oops\n')
  assert.equal(outputFiles(), [])
  await stopShellServer()
})

test('errexit, nounset and pipefail are on, as in bash -c "set -euo pipefail;…"', async () => {
  const fails = ['false; echo not reached', 'echo "$COIN_SURELY_UNSET"', 'false | cat']
  for (const cmd of fails) {
    const { p, out } = run(cmd)
    const exit = await p.done
    assert.ok(exit.code !== 0, `${cmd} exited 0`)
    assert.not.match(out.join(''), 'not reached')
  }
  await stopShellServer()
})

test("one command's environment does not leak into the next; the server's variables are not exported", async () => {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: bash's ${…}, not JavaScript's
  const a = run('echo "${COIN_A-unset} ${HOME:+home}"', { env: { COIN_A: 'a', HOME: '/elsewhere' } })
  assert.equal(await a.p.done, { code: 0, signal: null })
  assert.is(a.out.join(''), 'a home\n')
  // biome-ignore lint/suspicious/noTemplateCurlyInString: bash's ${…}, not JavaScript's
  const b = run('echo "${COIN_A-unset} $HOME"; env | grep -c "^__coin" || true')
  assert.equal(await b.p.done, { code: 0, signal: null })
  assert.is(b.out.join(''), `unset ${process.env.HOME}\n0\n`)
  await stopShellServer()
})

test('a syntax error or a missing cwd fails that command with the reason; the next one runs', async () => {
  const bad = run('echo (')
  const exit = await bad.p.done
  assert.is(exit.code, 2)
  assert.match(bad.err.join(''), 'syntax error')
  const gone = run('true', { cwd: join(dir, 'no-such-folder') })
  assert.is((await gone.p.done).code, 1)
  assert.match(gone.err.join(''), 'no-such-folder')
  const next = run('echo fine')
  assert.equal(await next.p.done, { code: 0, signal: null })
  assert.is(next.out.join(''), 'fine\n')
  await stopShellServer()
})

test('commands run side by side; each exit status reaches its own command', async () => {
  const runs = Array.from({ length: 24 }, (_, i) => ({
    i,
    ...run(`sleep 0.0${i % 7}; echo ${i}; exit ${i % 5}`),
  }))
  for (const r of runs) {
    assert.equal(await r.p.done, { code: r.i % 5, signal: null }, `command ${r.i}`)
    assert.is(r.out.join(''), `${r.i}\n`)
  }
  await stopShellServer()
})

test("$$ is the command's own pid, as in its own bash, not the shared server's", async () => {
  const a = run('echo $$; sleep 0.2')
  const b = run('echo $$; sleep 0.2')
  await Promise.all([a.p.done, b.p.done])
  const [pa, pb] = [Number(a.out.join('')), Number(b.out.join(''))]
  assert.ok(pa > 0 && pb > 0 && pa !== pb, `${pa} ${pb}`)
  await stopShellServer()
})

test('output of a long command arrives while it runs', async () => {
  const flag = join(dir, 'go-on')
  const { p, out } = run(`echo first; while [ ! -e ${flag} ]; do sleep 0.05; done; echo second`)
  assert.ok(await until(() => out.join('') === 'first\n', 5000), 'first line arrived early')
  writeFileSync(flag, '')
  assert.equal(await p.done, { code: 0, signal: null })
  assert.is(out.join(''), 'first\nsecond\n')
  await stopShellServer()
})

test('a kill reaches the whole process group: a background child of the command dies too', async () => {
  const { p } = run(`sleep 60 & echo $! > ${dir}/child; wait`)
  assert.ok(await until(() => readFileSafe(`${dir}/child`) !== '', 5000), 'the command started')
  const child = Number(readFileSafe(`${dir}/child`))
  assert.ok(alive(child))
  p.kill('SIGTERM')
  assert.equal(await p.done, { code: 143, signal: 'SIGTERM' })
  assert.ok(await until(() => !alive(child), 5000), `sleep ${child} outlived the kill`)
  await stopShellServer()
})

test('a kill asked for before the command has started still reaches it', async () => {
  const { p } = run('sleep 60')
  p.kill('SIGKILL')
  assert.equal(await p.done, { code: 137, signal: 'SIGKILL' })
  await stopShellServer()
})

test('when coin dies, the server ends the commands it still runs', async () => {
  const sub = tempDir('coin-shell-server-dies-')
  // A coin stand-in: starts a long command, then exits without waiting for it.
  const script = `
    import { runShell } from ${JSON.stringify(join(repo, 'src/exec/shell-server.ts'))}
    runShell({ command: 'echo $BASHPID > ${sub}/pid; exec sleep 60', cwd: '/', env: {},
      stdoutFile: '${sub}/o', stderrFile: '${sub}/e' }, { stdout() {}, stderr() {} })
    const wait = () => new Promise((r) => setTimeout(r, 50))
    const { existsSync } = await import('node:fs')
    while (!existsSync('${sub}/pid')) await wait()
    await wait()
    process.exit(0)
  `
  const file = join(sub, 'coin.mts')
  writeFileSync(file, script)
  const tsx = join(repo, 'node_modules', '.bin', 'tsx')
  execFileSync(tsx, [file], { cwd: repo, stdio: 'pipe', timeout: 20_000 })
  const pid = Number(readFileSafe(`${sub}/pid`))
  assert.ok(pid > 0, 'the command started')
  assert.ok(await until(() => !alive(pid), 5000), `the command ${pid} outlived coin`)
})

// This process's bash descendants (a server's watchdog outlives the server), not tsx's esbuild.
function descendants(): number[] {
  const parents = new Map<number, number>()
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    const stat = readFileSafe(`/proc/${pid}/stat`)
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
    if (ppid) parents.set(Number(pid), ppid)
  }
  const mine = new Set([process.pid])
  for (let grew = true; grew; ) {
    grew = false
    for (const [pid, ppid] of parents)
      if (mine.has(ppid) && !mine.has(pid)) {
        mine.add(pid)
        grew = true
      }
  }
  mine.delete(process.pid)
  return [...mine].filter((pid) => readFileSafe(`/proc/${pid}/cmdline`).startsWith('bash'))
}

test('stopShellServer ends every server and its watchdog; a build can start new ones after', async () => {
  await stopShellServer()
  const both = [run('echo again'), run('echo and again')]
  for (const r of both) assert.equal(await r.p.done, { code: 0, signal: null })
  assert.equal(
    both.map((r) => r.out.join('')),
    ['again\n', 'and again\n'],
  )
  await stopShellServer()
  assert.ok(
    await until(() => descendants().length === 0, 5000),
    `left running: ${descendants().map((d) => `${d} ${readFileSafe(`/proc/${d}/cmdline`).replaceAll('\0', ' ').slice(0, 80)}`)}`,
  )
})

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim()
  } catch {
    return ''
  }
}

test.run()
