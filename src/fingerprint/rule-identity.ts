/**
 * A rule's identity in the key. An explicit `version` wins. A rule written inside the Coinfile is
 * identified by the source of its function, so adding a target or editing another rule in the same
 * file does not rerun it. A rule from its own module (coin's built-in rules, a user's rules/ file)
 * is identified by that module's source, which also covers helpers defined beside it.
 */
import type { AnyRule } from '../config/define.ts'
import type { StatCache } from '../hash/stat-cache.ts'
import { hashBytes } from '../hash/xxh.ts'

export async function ruleIdentity(rule: AnyRule, coinfilePath: string, stat: StatCache): Promise<string> {
  if (rule.version !== undefined) return hashBytes(`version:${rule.version}`)
  if (rule.identitySource !== undefined) return hashBytes(`fn:${rule.identitySource}`)
  const file = rule.site?.file
  if (!file || file === coinfilePath) return hashBytes(`fn:${rule.run.toString()}`)
  return `module:${await stat.digest(file)}`
}
