/**
 * coin as a user gets it: `npm pack` (which builds dist/ through `prepare`), `npm install` of the
 * tarball into a fresh project (no .npmrc, no flags), `coin init`, `coin build`, a no-op rebuild.
 * Dependencies come from the registry (or npm's cache); nothing is downloaded at install or run time.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { repoRoot } from '../helpers/project.ts'
import { tempDir } from '../helpers/temp.ts'

const npm = (args: string[], cwd: string) => {
  const r = spawnSync('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline'], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', npm_config_loglevel: 'warn' },
    timeout: 600_000,
  })
  assert.is(r.status, 0, `npm ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`)
  return r
}

test('pack, install into a fresh project, init, build, rebuild', () => {
  const work = tempDir('coin-install-')
  try {
    const packed = npm(['pack', '--pack-destination', work, '--json'], repoRoot)
    const tarball = join(work, (JSON.parse(packed.stdout) as { filename: string }[])[0]!.filename)
    const contents = (JSON.parse(packed.stdout) as { files: { path: string }[] }[])[0]!.files.map(
      (f) => f.path,
    )
    assert.ok(contents.includes('dist/src/cli/main.js'), 'the tarball carries the built CLI')
    assert.ok(contents.includes('dist/src/index.d.ts'), 'and its type declarations')
    assert.not.ok(
      contents.some((f) => f.startsWith('test/')),
      'but not the tests',
    )

    const project = join(work, 'my-experiment')
    spawnSync('mkdir', [project])
    writeFileSync(join(project, 'package.json'), '{ "name": "my-experiment", "private": true }\n')
    const install = npm(['install', tarball], project)
    // npm's one-time review notice of dependencies' install scripts is the only warning; init answers it.
    const warnings = (s: string) =>
      s.split('\n').filter((l) => /npm (warn|error)/.test(l) && !/install-scripts/.test(l))
    assert.equal(warnings(`${install.stdout}${install.stderr}`), [])
    assert.not.ok(
      existsSync(join(project, 'node_modules/onnxruntime-node')),
      'the embedded learner runtime is optional',
    )

    const coin = (...args: string[]) =>
      spawnSync(join(project, 'node_modules/.bin/coin'), args, {
        cwd: project,
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1' },
      })
    const init = coin('init')
    assert.is(init.status, 0, init.stderr)
    assert.match(init.stdout, 'Coinfile.ts')
    assert.is(JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')).type, 'module')
    assert.ok(existsSync(join(project, 'tsconfig.json')))
    assert.is(coin('init').status, 2, 'a second init refuses to overwrite the Coinfile')
    const reinstall = npm(['install'], project)
    assert.not.match(`${reinstall.stdout}${reinstall.stderr}`, /npm (warn|error)/)
    const npx = spawnSync('npx', ['coin', '--version'], { cwd: project, encoding: 'utf8' })
    assert.is(npx.stderr, '', 'no npm warning on a command')

    const build = coin('build')
    assert.is(build.status, 0, `${build.stdout}\n${build.stderr}`)
    assert.is(build.stderr, '')
    assert.is(readFileSync(join(project, 'results/lines.txt'), 'utf8').trim(), '3')
    const again = coin('build')
    assert.match(again.stdout, 'up to date (2 fresh)')
    const more = coin('build', '--set', 'times=5')
    assert.is(more.status, 0, more.stderr)
    assert.is(readFileSync(join(project, 'results/lines.txt'), 'utf8').trim(), '5')
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
})

test.run()
