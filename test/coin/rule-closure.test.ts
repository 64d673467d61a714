/**
 * The default Coinfile's rules are identified by their code closures: in a copy of the project,
 * an edit to the embedded learner's optimiser changes exactly the training rules' identities, an
 * edit to a scorer exactly the scoring rule's, and an edit to a module no rule reaches none.
 * (Downstream targets then rerun through their inputs: the upstream output digests change.)
 */
import { appendFileSync, cpSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { loadModuleGraph } from '../../src/fingerprint/module-graph.ts'
import { ruleIdentity } from '../../src/fingerprint/rule-identity.ts'
import { StatCache } from '../../src/hash/stat-cache.ts'
import { openProject } from '../../src/project.ts'
import { repoRoot } from '../helpers/project.ts'
import { tempDir } from '../helpers/temp.ts'

const dir = tempDir('coin-closure-')
for (const f of ['src', 'rules', 'datasets', 'Coinfile.ts', 'package.json', 'tsconfig.json'])
  cpSync(join(repoRoot, f), join(dir, f), { recursive: true })
symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'))
// Resolve 'coin' and 'coin/rules' to the TypeScript sources edited below (not to a build of them).
const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
pkg.exports = { '.': './src/index.ts', './rules': './rules/index.ts' }
writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg))
const project = await openProject({ file: join(dir, 'Coinfile.ts'), cacheDir: join(dir, 'cache') })

async function identities(): Promise<Map<string, string>> {
  const { graph } = await loadModuleGraph(join(dir, 'Coinfile.ts'), dir)
  const out = new Map<string, string>()
  for (const node of project.graph.nodes.values())
    out.set(node.id, await ruleIdentity(node.decl.rule, graph, project.stat))
  return out
}

/** The rule names whose targets' identities an edit of `file` changes. */
async function changedRules(file: string, edit: (path: string) => void): Promise<string[]> {
  const before = await identities()
  edit(join(dir, file))
  // The stat cache keys on (inode, size, mtime): a fresh one sees the edit whatever the clock.
  project.stat = new StatCache(undefined)
  const after = await identities()
  const rules = new Set<string>()
  for (const [id, identity] of before)
    if (after.get(id) !== identity) rules.add(project.graph.get(id).decl.rule.name)
  return [...rules].sort()
}

test("an edit to Adam's beta1 makes exactly the training rules stale", async () => {
  const changed = await changedRules('rules/learner/adam.ts', (p) =>
    appendFileSync(p, '\nexport const EDITED_BETA1 = 0.8\n'),
  )
  // appending an unused export is not a change of reachable code; edit the real constant
  assert.equal(changed, [])
  const adam = readFileSync(join(dir, 'rules/learner/adam.ts'), 'utf8')
  const edited = adam.replace(/beta1\s*[:=]\s*0\.9\b/, (m) => m.replace('0.9', '0.8'))
  assert.is.not(edited, adam, 'adam.ts has a beta1 = 0.9 to edit')
  assert.equal(await changedRules('rules/learner/adam.ts', (p) => writeFileSync(p, edited)), [
    'pretrain',
    'train-multitask',
    'train-stage',
  ])
})

test('an edit to a scorer makes the scoring rule stale, and no training or prediction rule', async () => {
  const changed = await changedRules('rules/scoring/exact-match.ts', (p) =>
    appendFileSync(p, '\nexport const UNUSED = 1\nconsole.log("scorer loaded")\n'),
  )
  assert.equal(changed, ['score'])
})

test('an edit to a module no rule reaches makes nothing stale', async () => {
  writeFileSync(join(dir, 'rules/unused-helper.ts'), 'export const x = 1\n')
  assert.equal(
    await changedRules('rules/unused-helper.ts', (p) => writeFileSync(p, 'export const x = 2\n')),
    [],
  )
  rmSync(dir, { recursive: true, force: true })
})

test.run()
