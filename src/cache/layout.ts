/**
 * Where things live under `cache/` (disposable; `results/` is not):
 *   objects/ab/cdef…      content-addressed blobs, read-only (0444)
 *   actions/ab/<key>.json key → record (written last, atomically: a record means the outputs exist)
 *   out/<target id>.out/  a target's current output, hard links into objects/ (read-only)
 *   out/<target id>.json  which key is materialised there, with the files' stat snapshot
 *   staging/<pid>-<n>/    outputs being built, and the temp files and folders of atomic
 *                         writes (records, out states, materialised folders); swept on start
 *                         when their process is gone
 *   locks/<key>.lock      "a process is building this key" (PID, start time, heartbeat)
 *   locks/out-<h>.lock    "a process is materialising out/<id>.out" (h: a hash of the id)
 *   logs/<target id>.log  the last attempt's log, kept even when it failed
 *   scratch/<key>/        a running target's resumable progress (`ctx.scratch`), kept across
 *                         interrupted and failed attempts, dropped on commit (cache/scratch.ts)
 *   scratch-owners/<h>    per target: the key whose scratch it used last
 *   pins/<target id>      keys that `coin gc` keeps
 *   stat-cache.json       (dev, ino, size, mtime, ctime) → digest of project files (inputs,
 *                         modules)
 *   object-stats.json     the same for objects/ (read only when a build commits or restores)
 *   graphs/<key>.json     the analysed target graph, so a no-op does not load the Coinfile
 *                         (config/graph-cache.ts)
 *   stamps/<h>.stamp      per graph and selection: the stats a successful build's keys and
 *                         outputs rest on, so a no-op only stats (plan/up-to-date.ts)
 *   module-graph.json     the Coinfile's module graph (rule identities), with the stats that
 *                         keep it valid
 *   out-index.json        a copy of every out/<id>.json with its stat, so a no-op stats them
 *                         instead of reading and parsing thousands of small files
 */
import { createHash } from 'node:crypto'
import { join } from 'node:path'

export class CacheLayout {
  constructor(readonly root: string) {}
  get objects() {
    return join(this.root, 'objects')
  }
  object(digest: string) {
    return join(this.root, 'objects', digest.slice(0, 2), digest.slice(2))
  }
  get actions() {
    return join(this.root, 'actions')
  }
  action(key: string) {
    return join(this.root, 'actions', key.slice(0, 2), `${key}.json`)
  }
  outDir(id: string) {
    return join(this.root, 'out', `${id}.out`)
  }
  outState(id: string) {
    return join(this.root, 'out', `${id}.json`)
  }
  get out() {
    return join(this.root, 'out')
  }
  get staging() {
    return join(this.root, 'staging')
  }
  lock(key: string) {
    return join(this.root, 'locks', `${key}.lock`)
  }
  /** The lock for materialising `out/<id>.out` (flat: ids hold slashes). */
  outLock(id: string) {
    return join(this.root, 'locks', `out-${createHash('sha256').update(id).digest('hex').slice(0, 32)}.lock`)
  }
  get locks() {
    return join(this.root, 'locks')
  }
  get moduleGraph() {
    return join(this.root, 'module-graph.json')
  }
  log(id: string) {
    return join(this.root, 'logs', `${id}.log`)
  }
  /** `ctx.scratch` of a key (see cache/scratch.ts). */
  scratch(key: string) {
    return join(this.root, 'scratch', key)
  }
  get scratchRoot() {
    return join(this.root, 'scratch')
  }
  /** The key whose scratch target `id` used last (flat: ids hold slashes). */
  scratchOwner(id: string) {
    return join(this.scratchOwners, createHash('sha256').update(id).digest('hex').slice(0, 32))
  }
  get scratchOwners() {
    return join(this.root, 'scratch-owners')
  }
  pin(id: string) {
    return join(this.root, 'pins', id)
  }
  get pins() {
    return join(this.root, 'pins')
  }
  /** Index of the out/<id>.json states, validated per entry by the file's stat. */
  get outIndex() {
    return join(this.root, 'out-index.json')
  }
  get statCache() {
    return join(this.root, 'stat-cache.json')
  }
  get objectStatCache() {
    return join(this.root, 'object-stats.json')
  }
  graph(key: string) {
    return join(this.root, 'graphs', `${key}.json`)
  }
}
