/** A tiny Coinfile for the Slurm tests: a TypeScript rule, shell rules, failures and sleepers. */
export const SLURM_COINFILE = `
import { appendFileSync, existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { defineCoinfile, file, output, rule, sh, shell, UserError } from 'coin'

const upper = rule<{ times: number }>({
  name: 'upper',
  async run({ inputs, params, out, log }) {
    const text = await readFile(inputs.src as string, 'utf8')
    log('upper-casing ' + text.length + ' chars')
    await writeFile(out + '/upper.txt', text.toUpperCase().repeat(params.times))
  },
})
const count = shell({
  name: 'count',
  command: ({ inputs, out }) => sh\`wc -c < \${inputs.up + '/upper.txt'} > \${out + '/count.txt'}; cp \${inputs.up + '/upper.txt'} \${out}/\`,
})
const where = shell({ name: 'where', command: ({ out }) => sh\`echo "job:$(printenv SLURM_JOB_ID || true)" > \${out + '/job.txt'}\` })
const fail = shell({
  name: 'fail',
  command: ({ root }) => sh\`echo attempt >> \${root + '/fail.attempts'}; echo "oops: the data is bad" >&2; exit 3\`,
})
const strict = rule({
  name: 'strict',
  run() {
    throw new UserError({ message: 'record 3 has no answer', file: 'data/train.json', key: 'records[3].answer', fix: 'add the answer' })
  },
})
// Sleeps until the test creates <root>/release (or for params.seconds, so a test that dies
// cannot hold the node for long), logging as it starts.
const sleepy = rule<{ n: number; seconds: number }>({
  name: 'sleepy',
  async run({ params, root, out, log, signal }) {
    appendFileSync(root + '/started.' + params.n, 'x\\n')
    log('sleepy ' + params.n + ' started')
    const t0 = Date.now()
    while (!existsSync(root + '/release') && Date.now() - t0 < params.seconds * 1000) {
      if (signal.aborted) throw new Error('aborted')
      await new Promise((r) => setTimeout(r, 100))
    }
    await writeFile(out + '/slept.txt', String(params.n))
  },
})

export default defineCoinfile({
  params: { times: 2 },
  targets: (p) => [
    upper('data/upper', { inputs: { src: file('a.txt') }, params: { times: p.times } }),
    count('data/count', { inputs: { up: output('data/upper') } }),
    where('where/slurm', { params: { i: 1 } }),
    where('where/local', { params: { i: 2 }, executor: 'local' }),
    fail('bad/exit'),
    strict('bad/user'),
    ...[1, 2, 3].map((n) => sleepy('sleep/' + n, { params: { n, seconds: 240 } })),
  ],
})
`
