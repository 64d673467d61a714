import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { findTaskFiles, loadTestFile, loadTrainFile, normalizeTask } from '../../rules/datasets/index.ts'
import { tempDir, userError } from './helpers.ts'

const train = Array.from({ length: 10 }, (_, i) => ({
  id: `t${i}`,
  image: `${i}.jpg`,
  conversations: [
    { from: 'human', value: '<image>\nWhat is it?\nAnswer the question using a single word or phrase.' },
    { from: 'gpt', value: `class${i}` },
  ],
  extra: { kept: true },
}))
const test_ = Array.from({ length: 4 }, (_, i) => ({
  question_id: i,
  image: `${i}.jpg`,
  text: 'Q\nI',
  answer: 'a',
}))

/** A CoIN-layout folder: <root>/<Dir>/train.json + <testName>. */
async function coinFolder(dir: string, testName: string): Promise<string> {
  const root = await tempDir()
  await mkdir(join(root, dir))
  await writeFile(join(root, dir, 'train.json'), JSON.stringify(train))
  await writeFile(join(root, dir, testName), JSON.stringify(test_))
  return root
}

test('findTaskFiles matches folder names loosely and finds val.json where test.json is absent', async () => {
  const root = await coinFolder('VQAv2', 'val.json')
  assert.equal(await findTaskFiles(root, 'vqav2'), {
    task: 'vqav2',
    train: join(root, 'VQAv2', 'train.json'),
    test: join(root, 'VQAv2', 'val.json'),
  })
  const ocr = await coinFolder('OCR-VQA', 'test.json')
  assert.is((await findTaskFiles(ocr, 'OCRVQA')).test, join(ocr, 'OCR-VQA', 'test.json'))
})

test('findTaskFiles: a missing task folder is a user error naming the folder to add', async () => {
  const root = await coinFolder('GQA', 'test.json')
  const err = await userError(findTaskFiles(root, 'textvqa'))
  assert.ok(err.message.includes('has no folder for task textvqa'))
  assert.ok(err.diagnostic.fix?.includes(join(root, 'TextVQA')))
})

test('normalizeTask validates, subsamples by seed and writes CoIN-format files back', async () => {
  const root = await coinFolder('ImageNet', 'test.json')
  const files = await findTaskFiles(root, 'imagenet')
  const outDir = join(await tempDir(), 'datasets', 'imagenet')
  const result = await normalizeTask({
    task: 'ImageNet',
    trainFile: files.train,
    testFile: files.test,
    outDir,
    fraction: 0.4,
    seed: 3,
  })
  assert.equal(result.train.total, 10)
  assert.equal(result.train.kept, 4)
  assert.equal(result.test.kept, 4)
  const written = await loadTrainFile(join(outDir, 'train.json'))
  assert.is(written.length, 4)
  assert.equal(written[0]?.extra, { kept: true })
  assert.equal(await loadTestFile(join(outDir, 'test.json'), 'imagenet'), test_)
})

test('normalizeTask output is byte-identical for the same inputs and seed', async () => {
  const root = await coinFolder('GQA', 'test.json')
  const files = await findTaskFiles(root, 'gqa')
  const run = async (seed: number) => {
    const outDir = await tempDir()
    await normalizeTask({
      task: 'gqa',
      trainFile: files.train,
      testFile: files.test,
      outDir,
      fraction: 0.5,
      seed,
    })
    return readFile(join(outDir, 'train.json'), 'utf8')
  }
  assert.is(await run(1), await run(1))
  assert.is.not(await run(1), await run(2))
})

test('a fraction that keeps no record is a user error', async () => {
  const root = await coinFolder('GQA', 'test.json')
  const files = await findTaskFiles(root, 'gqa')
  const err = await userError(
    normalizeTask({
      task: 'gqa',
      trainFile: files.train,
      testFile: files.test,
      outDir: await tempDir(),
      testFraction: 0.1,
    }),
  )
  assert.ok(err.message.includes('testFraction 0.1 of the 4 records of task gqa keeps none'), err.message)
})

test.run()
