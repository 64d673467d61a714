import { createHash } from 'node:crypto'
import { readdir, readFile, stat } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { generateCoinMini } from '../../datasets/coin-mini/generate.ts'
import { COIN_TASKS } from '../../datasets/coin-mini/tasks.ts'
import { UserError } from '../../src/errors.ts'
import { tempDir } from './fixture.ts'

/** path → sha256 of every file under `dir`, sorted by path. */
async function digestTree(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  const walk = async (d: string): Promise<void> => {
    for (const entry of (await readdir(d, { withFileTypes: true })).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = join(d, entry.name)
      if (entry.isDirectory()) await walk(path)
      else
        out.set(
          relative(dir, path),
          createHash('sha256')
            .update(await readFile(path))
            .digest('hex'),
        )
    }
  }
  await walk(dir)
  return out
}

const SMALL = { train: 40, test: 10 }

test('the same seed writes byte-identical files', async () => {
  const a = await tempDir('gen-a')
  const b = await tempDir('gen-b')
  await generateCoinMini(a, { seed: 7, ...SMALL })
  await generateCoinMini(b, { seed: 7, ...SMALL })
  const [da, db] = [await digestTree(a), await digestTree(b)]
  // A scene per record, two record files per task, the manifest.
  assert.is(da.size, 8 * (SMALL.train + SMALL.test) + 8 * 2 + 1)
  assert.equal([...da], [...db])
})

test('a different seed writes different data', async () => {
  const a = await tempDir('gen-a')
  const b = await tempDir('gen-b')
  await generateCoinMini(a, { seed: 1, ...SMALL })
  await generateCoinMini(b, { seed: 2, ...SMALL })
  const [da, db] = [await digestTree(a), await digestTree(b)]
  for (const t of COIN_TASKS) {
    assert.is.not(da.get(join(t.dir, 'train.json')), db.get(join(t.dir, 'train.json')), `${t.dir} train.json`)
  }
})

test('a subset of tasks gets the same bytes as a full run', async () => {
  const all = await tempDir('gen-all')
  const some = await tempDir('gen-some')
  await generateCoinMini(all, { seed: 3, ...SMALL })
  const result = await generateCoinMini(some, { seed: 3, ...SMALL, tasks: ['VQAv2', 'gqa'] })
  assert.equal(
    result.tasks.map((t) => t.task),
    ['gqa', 'vqav2'],
    'written in CoIN order',
  )
  const [full, part] = [await digestTree(all), await digestTree(some)]
  for (const [path, digest] of part) {
    if (path !== 'coin-mini.json') assert.is(digest, full.get(path), path)
  }
})

test("CoIN's layout: task dirs, the test file each uses, scenes under images/", async () => {
  const dir = await tempDir('gen-layout')
  const result = await generateCoinMini(dir, { seed: 0, ...SMALL })
  assert.equal(
    result.tasks.map((t) => [t.task, t.dir, t.train, t.test]),
    COIN_TASKS.map((t) => [t.id, t.dir, SMALL.train, SMALL.test]),
  )
  const testFiles = Object.fromEntries(COIN_TASKS.map((t) => [t.dir, t.testFile]))
  assert.equal(testFiles, {
    ScienceQA: 'test.json',
    TextVQA: 'val.json',
    ImageNet: 'test.json',
    GQA: 'test.json',
    VizWiz: 'val.json',
    Grounding: 'test.json',
    VQAv2: 'val.json',
    OCRVQA: 'test.json',
  })
  for (const t of COIN_TASKS) {
    assert.equal((await readdir(join(dir, t.dir))).sort(), ['train.json', t.testFile].sort())
    assert.is((await readdir(join(dir, 'images', t.dir))).length, SMALL.train + SMALL.test)
  }
  const text = await readFile(join(dir, 'GQA', 'train.json'), 'utf8')
  assert.ok(text.endsWith('}\n]\n'), 'one record per line, trailing newline')
  const manifest = JSON.parse(await readFile(join(dir, 'coin-mini.json'), 'utf8'))
  assert.equal([manifest.seed, manifest.train, manifest.test], [0, SMALL.train, SMALL.test])
})

test('the default size stays small: a few MB', async () => {
  const dir = await tempDir('gen-default')
  await generateCoinMini(dir, { seed: 0 })
  const files = await digestTree(dir)
  let bytes = 0
  for (const path of files.keys()) bytes += (await stat(join(dir, path))).size
  assert.is(files.size, 8 * (600 + 150) + 8 * 2 + 1)
  assert.ok(bytes < 5_000_000, `${bytes} bytes`)
})

async function userError(fn: () => Promise<unknown>): Promise<UserError> {
  try {
    await fn()
  } catch (err) {
    if (err instanceof UserError) return err
    throw err
  }
  throw new Error('expected a UserError')
}

test('bad options are user errors that name the option', async () => {
  const dir = await tempDir('gen-bad')
  const unknown = await userError(() => generateCoinMini(dir, { seed: 0, tasks: ['coco'] }))
  assert.is(unknown.diagnostic.key, 'tasks')
  assert.match(unknown.diagnostic.fix ?? '', 'scienceqa, textvqa')
  assert.is((await userError(() => generateCoinMini(dir, { seed: -1 }))).diagnostic.key, 'seed')
  assert.is((await userError(() => generateCoinMini(dir, { seed: 1.5 }))).diagnostic.key, 'seed')
  assert.is((await userError(() => generateCoinMini(dir, { seed: 0, train: 0 }))).diagnostic.key, 'train')
  assert.is((await userError(() => generateCoinMini(dir, { seed: 0, test: 100000 }))).diagnostic.key, 'test')
  assert.is((await userError(() => generateCoinMini(dir, { seed: 0, tasks: [] }))).diagnostic.key, 'tasks')
})

test.run()
