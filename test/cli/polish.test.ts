/** End to end: the everyday CLI's manners (pipes, help, version, graph labels, pin/unpin, completion). */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { coinBin, repoRoot, SIMPLE_COINFILE, TempProject } from '../helpers/project.ts'

/** Three more targets so globs match several. */
const MANY = SIMPLE_COINFILE.replace(
  "count('data/count', { inputs: { up: output('data/upper') } }),",
  `count('data/count', { inputs: { up: output('data/upper') } }),
    ...[1, 2, 3].map((i) => upper('more/u' + i, { inputs: { src: file('a.txt') }, params: { times: i } })),`,
)

test('`coin list | head -1` prints one line and no EPIPE error', () => {
  // 5000 ids (~100 KB) overflow the pipe's buffer, so coin is still writing when head exits.
  const wide = MANY.replace(
    'targets: (p) => [',
    "targets: (p) => [\n    ...Array.from({ length: 5000 }, (_, i) => upper('wide/' + i, { inputs: { src: file('a.txt') } })),",
  )
  const p = new TempProject({ 'Coinfile.ts': wide, 'a.txt': 'abc' })
  const r = spawnSync('bash', ['-o', 'pipefail', '-c', `node ${coinBin} list | head -1`], {
    cwd: p.dir,
    encoding: 'utf8',
  })
  assert.is(r.stdout.trim().split('\n').length, 1)
  assert.is(r.stderr, '')
  assert.is(r.status, 0)
  p.remove()
})

test('--version prints the package version; every command has --help with examples', () => {
  const p = new TempProject()
  const version = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version
  assert.is(p.coin('--version').stdout.trim(), version)
  for (const cmd of ['build', 'status', 'why', 'log', 'pin', 'graph', 'query', 'completion']) {
    const r = p.coin(cmd, '--help')
    assert.is(r.code, 0, `${cmd}: ${r.stderr}`)
    assert.match(r.stdout, /Examples:\n {2}\$ coin /, cmd)
  }
  p.remove()
})

test('graph labels: a DOT line break, not a literal backslash-n', () => {
  const p = new TempProject({ 'Coinfile.ts': SIMPLE_COINFILE, 'a.txt': 'abc' })
  const dot = p.coin('graph').stdout
  assert.match(dot, '"data/upper" [label="data/upper\\n(upper)"];')
  assert.not.match(dot, '\\\\n')
  assert.match(p.coin('graph', '--format', 'mermaid').stdout, 't0["data/upper<br/>(upper)"]')
  assert.is(p.coin('graph', '--format', 'png').code, 2)
  p.remove()
})

test('pin and unpin act on every match of a glob; unknown targets and unpinned ones are errors', () => {
  const p = new TempProject({ 'Coinfile.ts': MANY, 'a.txt': 'abc' })
  assert.is(p.coin('pin', 'more/*').code, 2, 'nothing built yet: refuse, pin nothing')
  assert.is(p.build().code, 0)
  const pin = p.coin('pin', 'more/*')
  assert.is(pin.code, 0, pin.stderr)
  assert.is(pin.stdout.trim().split('\n').length, 3)
  const bogus = p.coin('unpin', 'bogus')
  assert.is(bogus.code, 2)
  assert.match(bogus.stderr, 'unknown target "bogus"')
  assert.is(p.coin('unpin', 'data/upper').code, 2, 'not pinned')
  const unpin = p.coin('unpin', 'more/**')
  assert.is(unpin.code, 0, unpin.stderr)
  assert.equal(unpin.stdout.trim().split('\n'), ['unpinned more/u1', 'unpinned more/u2', 'unpinned more/u3'])
  assert.is(p.coin('unpin', 'more/u1').code, 2, 'already unpinned')
  p.remove()
})

test('log and path take one target: an ambiguous glob is refused with the matches listed', () => {
  const p = new TempProject({ 'Coinfile.ts': MANY, 'a.txt': 'abc' })
  p.build()
  const r = p.coin('path', 'more/*')
  assert.is(r.code, 2)
  assert.match(r.stderr, 'matches 3: more/u1, more/u2, more/u3')
  assert.is(p.coin('log', 'more').code, 2)
  assert.is(p.coin('path', 'nope/x').code, 2)
  p.remove()
})

test('bash completion completes commands and target ids', () => {
  const p = new TempProject({ 'Coinfile.ts': MANY, 'a.txt': 'abc' })
  const script = p.coin('completion', 'bash').stdout
  p.write({ 'bin/coin': `#!/bin/sh\nexec node ${coinBin} "$@"\n`, 'complete.sh': script })
  const complete = (line: string) => {
    const words = line.split(' ')
    const r = spawnSync(
      'bash',
      [
        '-c',
        `chmod +x bin/coin; PATH="$PWD/bin:$PATH"; source complete.sh; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _coin; printf '%s\\n' "\${COMPREPLY[@]}"`,
      ],
      { cwd: p.dir, encoding: 'utf8' },
    )
    assert.is(r.status, 0, r.stderr)
    return r.stdout.trim().split('\n')
  }
  assert.equal(complete('coin bu'), ['build'])
  assert.equal(complete('coin build more/'), ['more/u1', 'more/u2', 'more/u3'])
  assert.ok(complete('coin build --k').includes('--keep-going'))
  assert.is(p.coin('completion', 'fish').code, 2)
  p.remove()
})

test('`coin --help` loads no engine, rule, ajv, DuckDB or onnxruntime module', () => {
  const hook = `export async function resolve(s, c, next) {
    const r = await next(s, c)
    if (/\\/dist\\/(rules|datasets)\\/|\\/dist\\/src\\/(build|project|config|exec|plan|cache|fingerprint)|node_modules\\/(ajv|@duckdb|onnxruntime|tsx|zx|vega)/.test(r.url)) throw new Error('loaded: ' + r.url)
    return r
  }`
  const registration = `import { register } from 'node:module'; register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}))`
  const run = (args: string[]) =>
    spawnSync(
      process.execPath,
      ['--import', `data:text/javascript,${encodeURIComponent(registration)}`, coinBin, ...args],
      {
        encoding: 'utf8',
      },
    )
  const help = run(['--help'])
  assert.is(help.status, 0, help.stderr)
  assert.match(help.stdout, 'Usage: coin')
  assert.is(run(['build', '--help']).status, 0)
  // Control: a command that opens a project does load the engine, and the hook catches it.
  assert.match(run(['list']).stderr, 'loaded: ')
})

test.run()
