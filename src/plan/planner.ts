/**
 * Decides, per target, whether it is fresh (its output is materialised under the current key),
 * restorable (the run cache has a record for the key) or must run, and says why. Used by the
 * build (one target at a time, as upstream outputs become known) and by `--dry-run`, `status` and
 * `why` (statically: a target downstream of one that must run is "pending" until that output is
 * known, because an identical output would stop the cascade).
 */

import type { CacheLayout } from '../cache/layout.ts'
import type { ActionRecord, OutState, Store } from '../cache/store.ts'
import { commandFileInputs, renderCommandWords } from '../fingerprint/command-files.ts'
import { digestFileInput } from '../fingerprint/inputs.ts'
import {
  computeKey,
  explainDifference,
  type InputDigest,
  KEY_FORMAT,
  type KeyData,
} from '../fingerprint/key.ts'
import type { ModuleGraph } from '../fingerprint/module-graph.ts'
import { ruleIdentity } from '../fingerprint/rule-identity.ts'
import type { Watch } from '../fingerprint/watch.ts'
import type { Graph } from '../graph/graph.ts'
import type { StatCache } from '../hash/stat-cache.ts'

export interface Fingerprint {
  key: string
  keyData: KeyData
  /** Input name → absolute path(s) for the rule. */
  inputs: Record<string, string | string[]>
  /** The stats this key rests on (see fingerprint/watch.ts); undefined when a glob is among them. */
  watch: Watch | undefined
}

/** What outlives a target's build: its key and the stats it rests on (for the up-to-date stamp). */
export type KeyStats = Pick<Fingerprint, 'key' | 'watch'>

export type Decision =
  | { status: 'fresh'; fp: Fingerprint; state: OutState }
  | { status: 'restorable'; fp: Fingerprint; reason: string; record: ActionRecord }
  | { status: 'run'; fp: Fingerprint; reason: string }
  /** Only in static plans: an upstream must run first, so this key is not known yet. */
  | { status: 'pending'; upstream: string; reason: string }

export interface Upstream {
  outputDigest: string
  outDir: string
}

export class Planner {
  #ruleIds = new Map<unknown, Promise<string>>()

  constructor(
    readonly graph: Graph,
    readonly root: string,
    /** The Coinfile's module graph: rule identities are code closures in it. */
    readonly modules: ModuleGraph,
    readonly stat: StatCache,
    readonly store: Store,
    readonly layout: CacheLayout,
  ) {}

  /** The key of `id`, given its upstream targets' outputs. Throws UserError on a missing input. */
  async fingerprint(id: string, upstream: (dep: string) => Upstream): Promise<Fingerprint> {
    const node = this.graph.get(id)
    const { decl } = node
    const inputs: Record<string, InputDigest> = {}
    const paths: Record<string, string | string[]> = {}
    let watch: Watch | undefined = new Map()
    for (const [name, ref] of Object.entries(decl.inputs)) {
      if (ref.kind === 'target') {
        const up = upstream(ref.id)
        inputs[name] = { output: up.outputDigest }
        paths[name] = up.outDir
      } else {
        const r = await digestFileInput(ref, {
          root: this.root,
          stat: this.stat,
          target: id,
          input: name,
          site: () => decl.site,
        })
        inputs[name] = r.digest
        paths[name] = r.paths
        if (!r.watch) watch = undefined
        else if (watch) for (const [p, sig] of r.watch) watch.set(p, sig)
      }
    }
    const words = node.commandWords ?? renderCommandWords(decl, paths, this.root)
    if (decl.rule.uses || words)
      Object.assign(
        inputs,
        await commandFileInputs(
          decl,
          words,
          {
            root: this.root,
            cacheRoot: this.layout.root,
            stat: this.stat,
            inputs: paths,
          },
          watch,
        ),
      )
    let identity = this.#ruleIds.get(decl.rule)
    if (!identity) {
      identity = ruleIdentity(decl.rule, this.modules, this.stat)
      this.#ruleIds.set(decl.rule, identity)
    }
    const keyData: KeyData = {
      format: KEY_FORMAT,
      rule: { name: decl.rule.name, identity: await identity },
      params: decl.params,
      inputs,
      env: decl.env,
    }
    return { key: await computeKey(keyData), keyData, inputs: paths, watch }
  }

  /** Fresh, restorable or run, for a target whose upstream outputs are known. */
  async decide(id: string, fp: Fingerprint): Promise<Exclude<Decision, { status: 'pending' }>> {
    const state = this.store.readOutState(id)
    if (state?.key === fp.key && (await this.store.outputsIntact(id, state)))
      return { status: 'fresh', fp, state }
    const reason = this.explain(id, fp, state)
    const record = this.store.readRecord(fp.key)
    if (record) return { status: 'restorable', fp, reason, record }
    return { status: 'run', fp, reason }
  }

  /** Why the current key differs from what is materialised (the first differing components). */
  explain(id: string, fp: Fingerprint, state: OutState | undefined = this.store.readOutState(id)): string {
    if (!state) return 'never built'
    if (state.key === fp.key) return 'its output files were changed or deleted'
    const before = this.store.readRecord(state.key)
    if (!before) return 'key changed (the previous record was garbage-collected)'
    const { decl } = this.graph.get(id)
    const label = (name: string) => {
      const ref = decl.inputs[name]
      return ref?.kind === 'target' ? `${ref.id} (input ${name})` : name
    }
    const reasons = explainDifference(before.keyData, fp.keyData, label)
    return reasons.length ? reasons.join('; ') : 'key changed'
  }

  /** A static plan over `ids` (topological order): what a build would do, without doing it. */
  async plan(ids: readonly string[]): Promise<Map<string, Decision>> {
    const out = new Map<string, Decision>()
    const known = new Map<string, Upstream>()
    for (const id of ids) {
      const node = this.graph.get(id)
      const blocked = node.deps.find((d) => !known.has(d))
      if (blocked) {
        const b = out.get(blocked)
        const why = b?.status === 'pending' ? b.upstream : blocked
        out.set(id, {
          status: 'pending',
          upstream: why,
          reason: `upstream ${why} will run; this reruns unless that output comes out identical`,
        })
        continue
      }
      const fp = await this.fingerprint(id, (d) => known.get(d)!)
      const d = await this.decide(id, fp)
      out.set(id, d)
      if (d.status === 'fresh')
        known.set(id, { outputDigest: d.state.outputDigest, outDir: this.layout.outDir(id) })
      else if (d.status === 'restorable')
        known.set(id, { outputDigest: d.record.outputDigest, outDir: this.layout.outDir(id) })
    }
    return out
  }
}
