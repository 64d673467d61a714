/**
 * Corruption of every kind of cache file: objects (flip a byte, truncate, delete), action records
 * (flip a path, an escaping path, a bad digest, truncation, garbage), the out-state files and the
 * index, the stat cache, and materialised outputs (extra file, edited file, deleted file). After
 * each, a clean build must give the reference results and touch nothing outside.
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import type { Family, Trial } from './family.ts'
import { type Sandbox, settle } from './harness.ts'

/** CI's subset: one of each kind of file. */
const QUICK = [
  'object: flip a byte',
  'record: path escapes (../)',
  'out state: garbage',
  'output: extra file',
  'lock: orphaned lock and temp files',
]

const TARGETS = ['gen/0', 'gen/1', 'sum/0', 'wc/1', 'slow', 'report']

const keyOf = (sb: Sandbox, id: string): string =>
  JSON.parse(readFileSync(sb.path(`cache/out/${id}.json`), 'utf8')).key
const recordPath = (sb: Sandbox, key: string) => sb.path(`cache/actions/${key.slice(0, 2)}/${key}.json`)
const readRecord = (sb: Sandbox, key: string) => JSON.parse(readFileSync(recordPath(sb, key), 'utf8'))
const objectPath = (sb: Sandbox, digest: string) =>
  sb.path(`cache/objects/${digest.slice(0, 2)}/${digest.slice(2)}`)
/** Forces the next build to restore `id` from its record (the materialised copy is gone). */
const dropOut = (sb: Sandbox, id: string) => {
  rmSync(sb.path(`cache/out/${id}.out`), { recursive: true, force: true })
  rmSync(sb.path(`cache/out/${id}.json`), { force: true })
}
const editRecord = (
  sb: Sandbox,
  id: string,
  edit: (r: { files: { path: string; digest: string }[] }) => void,
) => {
  const key = keyOf(sb, id)
  const rec = readRecord(sb, key)
  edit(rec)
  writeFileSync(recordPath(sb, key), JSON.stringify(rec))
  dropOut(sb, id)
}
const firstFile = (sb: Sandbox, id: string) =>
  readRecord(sb, keyOf(sb, id)).files[0] as { path: string; digest: string }
const writable = (path: string, f: () => void) => {
  chmodSync(path, 0o644)
  f()
}

/** Each corruption: what it does to target `id` of a fully built sandbox. */
const CORRUPTIONS: Record<string, (sb: Sandbox, id: string, random: () => number) => void> = {
  'object: flip a byte': (sb, id, random) => {
    const p = objectPath(sb, firstFile(sb, id).digest)
    writable(p, () => {
      const b = readFileSync(p)
      b[Math.floor(random() * b.length)]! ^= 0x20
      writeFileSync(p, b)
    })
  },
  'object: truncate': (sb, id) => {
    const p = objectPath(sb, firstFile(sb, id).digest)
    writable(p, () => truncateSync(p, 3))
  },
  'object: delete': (sb, id) => {
    rmSync(objectPath(sb, firstFile(sb, id).digest))
    dropOut(sb, id)
  },
  'record: path changed': (sb, id) =>
    editRecord(sb, id, (r) => {
      r.files[0]!.path = r.files[0]!.path.replace(/.$/, 'u')
    }),
  'record: path escapes (../)': (sb, id) =>
    editRecord(sb, id, (r) => {
      r.files[0]!.path = '../../../../outside/planted.txt'
    }),
  'record: absolute path': (sb, id) =>
    editRecord(sb, id, (r) => {
      r.files[0]!.path = join(sb.outside, 'planted.txt')
    }),
  'record: malformed digest': (sb, id) =>
    editRecord(sb, id, (r) => {
      r.files[0]!.digest = '../../outside/canary.txt'
    }),
  'record: truncated': (sb, id) => {
    const p = recordPath(sb, keyOf(sb, id))
    truncateSync(p, Math.floor(readFileSync(p).length / 2))
    dropOut(sb, id)
  },
  'record: deleted': (sb, id) => {
    rmSync(recordPath(sb, keyOf(sb, id)))
    dropOut(sb, id)
  },
  'out state: garbage': (sb, id) =>
    writeFileSync(sb.path(`cache/out/${id}.json`), '{"key": 12, "files": "x"'),
  'out state: escaping paths': (sb, id) => {
    const p = sb.path(`cache/out/${id}.json`)
    const st = JSON.parse(readFileSync(p, 'utf8'))
    st.files[0].path = '../../../outside/canary.txt'
    writeFileSync(p, JSON.stringify(st))
  },
  'out index: garbage': (sb) => writeFileSync(sb.path('cache/out-index.json'), '\u0000garbage{'),
  'stat cache: garbage': (sb) => writeFileSync(sb.path('cache/stat-cache.json'), '[1,2,'),
  'output: extra file': (sb, id) => writeFileSync(sb.path(`cache/out/${id}.out/planted.txt`), 'poison'),
  'output: file edited': (sb, id) => {
    const p = sb.path(`cache/out/${id}.out/${firstFile(sb, id).path}`)
    writable(p, () => writeFileSync(p, 'edited'))
  },
  'output: file deleted': (sb, id) => rmSync(sb.path(`cache/out/${id}.out/${firstFile(sb, id).path}`)),
  'output: folder replaced by a symlink': (sb, id) => {
    rmSync(sb.path(`cache/out/${id}.out`), { recursive: true })
    symlinkSync(sb.outside, sb.path(`cache/out/${id}.out`))
  },
  'lock: orphaned lock and temp files': (sb) => {
    writeFileSync(
      sb.path('cache/locks/dead.lock'),
      // A dead process of this host (another host's fresh lock is rightly kept until its beat is stale).
      JSON.stringify({ pid: 999_999_999, host: hostname(), token: 't' }),
    )
    writeFileSync(sb.path('cache/stat-cache.json.999999999.tmp'), 'torn')
    mkdirSync(sb.path('cache/staging/999999999-abc/out'), { recursive: true })
  },
}

export const corruption: Family = {
  name: 'corruption',
  about: `${Object.keys(CORRUPTIONS).length} kinds of damage to objects, records, out states, indexes, outputs, locks`,
  async run(ctx) {
    const trials: Trial[] = []
    const sb = ctx.sandbox
    const per = ctx.quick ? 1 : 2
    const kinds = Object.entries(CORRUPTIONS).filter(([kind]) => !ctx.quick || QUICK.includes(kind))
    for (const [kind, corrupt] of kinds) {
      for (let i = 0; i < per; i++) {
        // The previous trial ended with a clean build: the cache is complete and intact here.
        if (!existsSync(sb.path('cache/locks'))) mkdirSync(sb.path('cache/locks'), { recursive: true })
        const id = TARGETS[Math.floor(ctx.random() * TARGETS.length)]!
        corrupt(sb, id, ctx.random)
        const verdict = await settle(sb, ctx.reference, `${kind} on ${id}`)
        if (kind.startsWith('lock')) {
          await sb.coin(['gc'])
          const left = [
            readdirSync(sb.path('cache/locks')).includes('dead.lock') && 'dead.lock',
            existsSync(sb.path('cache/stat-cache.json.999999999.tmp')) && 'stat-cache tmp',
            existsSync(sb.path('cache/staging/999999999-abc')) && 'staging',
          ].filter(Boolean)
          if (left.length)
            Object.assign(verdict, { ok: false, wrong: true, note: `left: ${left.join(', ')}` })
        }
        trials.push({ family: `corruption: ${kind}`, name: `${kind} on ${id}`, verdict })
        ctx.log(`corruption ${kind} on ${id}: ${verdict.ok ? 'ok' : `FAIL ${verdict.note}`}`)
      }
    }
    return trials
  },
}
