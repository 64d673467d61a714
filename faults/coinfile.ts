/**
 * The project the fault suite attacks: 2 generators (nested folders of files), per-generator
 * summaries, shell rules that spawn child processes, a fan-in report published to results/, and
 * a `slow` target whose duration (and whether it blocks the event loop) comes from the
 * environment, so it is outside the key. Every in-process rule appends `<rule>:<key>` to runs.log
 * (a command rule does not: a file named in a command is one of its inputs). In a Slurm job, a
 * generator whose `exit-once.<n>` file exists removes it and exits 3 half-way (the Slurm faults'
 * failing job; a file, so a retry succeeds).
 */
export const FAULT_COINFILE = `
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { defineCoinfile, file, output, rule, sh, shell } from 'coin'

const mark = (root: string, rule: string, key: string) => appendFileSync(root + '/runs.log', rule + ':' + key + '\\n')

const gen = rule<{ n: number; files: number; ms: number }>({
  name: 'gen',
  async run({ key, inputs, params, out, root }) {
    mark(root, 'gen', key)
    const seed = readFileSync(inputs.seed as string, 'utf8').trim()
    for (let d = 0; d < 3; d++) {
      mkdirSync(out + '/part-' + d + '/deep', { recursive: true })
      for (let i = 0; i < params.files; i++) {
        const body = (seed + ':' + params.n + ':' + d + ':' + i + '\\n').repeat(40)
        writeFileSync(out + '/part-' + d + (i % 2 ? '/deep/' : '/') + 'f' + i + '.txt', body)
      }
      await sleep(params.ms)
      const once = root + '/exit-once.' + params.n
      if (process.env.SLURM_JOB_ID && existsSync(once)) {
        rmSync(once)
        process.exit(3)
      }
    }
  },
})

const summary = rule({
  name: 'summary',
  async run({ key, inputs, out, root }) {
    mark(root, 'summary', key)
    const walk = (d: string): string[] =>
      readdirSync(d, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(d + '/' + e.name) : [d + '/' + e.name],
      )
    const files = walk(inputs.g as string).sort()
    const bytes = files.reduce((n, f) => n + readFileSync(f).length, 0)
    writeFileSync(out + '/summary.json', JSON.stringify({ files: files.length, bytes }))
  },
})

const wc = shell({
  name: 'wc',
  command: ({ inputs, out }) =>
    sh\`sleep 0.2; cat \${inputs.s + '/summary.json'} | wc -c > \${out + '/wc.txt'}\`,
})

const slow = rule({
  name: 'slow',
  async run({ key, out, root }) {
    mark(root, 'slow', key)
    writeFileSync(root + '/slow-started', String(process.pid))
    const ms = Number(process.env.FAULT_SLOW_MS ?? 50)
    if (process.env.FAULT_SLOW_BUSY) {
      const end = Date.now() + ms
      while (Date.now() < end) {} // blocks the event loop, as a long synchronous step would
    } else await sleep(ms)
    writeFileSync(out + '/slow.txt', 'slow done')
  },
})

const report = rule({
  name: 'report',
  async run({ key, inputs, out, root }) {
    mark(root, 'report', key)
    const lines = Object.keys(inputs).sort().map((k) => k + ' ' + readFileSync(inputs[k] + '/' + (k.startsWith('w') ? 'wc.txt' : 'summary.json'), 'utf8').trim())
    writeFileSync(out + '/report.txt', lines.join('\\n') + '\\n')
  },
})

export default defineCoinfile({
  params: { files: 6, ms: 100 },
  targets: (p) => {
    const ids = [0, 1]
    return [
      ...ids.map((n) => gen('gen/' + n, { inputs: { seed: file('seed.txt') }, params: { n, files: p.files, ms: p.ms } })),
      ...ids.map((n) => summary('sum/' + n, { inputs: { g: output('gen/' + n) } })),
      ...ids.map((n) => wc('wc/' + n, { inputs: { s: output('sum/' + n) } })),
      slow('slow'),
      report('report', {
        inputs: Object.fromEntries(ids.flatMap((n) => [['s' + n, output('sum/' + n)], ['w' + n, output('wc/' + n)]])),
        publish: 'results',
      }),
    ]
  },
})
`
