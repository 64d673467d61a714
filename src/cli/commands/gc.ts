/** `coin gc`: delete cached work the current Coinfile no longer reaches (pins are kept). */
import type { Command } from 'commander'
import { collectGarbage } from '../../cache/gc.ts'
import { saveCaches } from '../../project.ts'
import { open } from '../options.ts'
import { formatBytes } from './format-bytes.ts'

export async function run(opts: { dryRun?: boolean }, cmd: Command) {
  const p = await open(cmd)
  const plan = await p.planner.plan(p.graph.order)
  const current = [...plan.values()].flatMap((d) => ('fp' in d ? [d.fp.key] : []))
  const r = collectGarbage(p.store, p.layout, new Set(p.graph.order), current, !!opts.dryRun)
  const verb = opts.dryRun ? 'would free' : 'freed'
  process.stdout.write(
    `${verb} ${formatBytes(r.bytesFreed)}: ${r.removedRecords} records, ${r.removedObjects} objects, ${r.removedOutputs} outputs of removed targets, ${r.removedScratch} scratch dirs of old keys, ${r.removedLeftovers} leftovers of killed builds; kept ${r.keptRecords} records\n`,
  )
  await saveCaches(p)
  return 0
}
