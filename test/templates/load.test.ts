import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { COIN_TASK_IDS } from '../../datasets/coin-mini/tasks.ts'
import { loadTemplateSet, TEMPLATE_SET_NAMES, type TemplateSetName } from '../../rules/templates/index.ts'
import { UserError } from '../../src/errors.ts'

async function userError(fn: () => Promise<unknown> | unknown): Promise<UserError> {
  try {
    await fn()
  } catch (err) {
    if (err instanceof UserError) return err
    throw err
  }
  throw new Error('expected a UserError')
}

test('the set names: original, diverse, paraphrase-1..11, paraphrase-mixed', () => {
  assert.equal(TEMPLATE_SET_NAMES, [
    'original',
    'diverse',
    ...Array.from({ length: 11 }, (_, i) => `paraphrase-${i + 1}`),
    'paraphrase-mixed',
  ])
})

test('every set loads and gives every task a one-line instruction', async () => {
  for (const name of TEMPLATE_SET_NAMES) {
    const instructionFor = await loadTemplateSet(name)
    for (const task of COIN_TASK_IDS) {
      const instruction = instructionFor(task, 'r1')
      assert.type(instruction, 'string')
      assert.ok(instruction.trim().length > 0 && !instruction.includes('\n'), `${name}/${task}`)
      assert.is(instruction.endsWith(': {ref}'), task === 'grounding', `${name}/${task}: ${instruction}`)
    }
  }
})

test("original holds CoIN's LLaVA-1.5 instructions", async () => {
  const original = await loadTemplateSet('original')
  assert.is(original('scienceqa'), "Answer with the option's letter from the given choices directly.")
  for (const task of ['textvqa', 'imagenet', 'gqa', 'vizwiz', 'vqav2', 'ocrvqa']) {
    assert.is(original(task), 'Answer the question using a single word or phrase.')
  }
  assert.is(
    original('grounding'),
    'Please provide the bounding box coordinate of the region this sentence describes: {ref}',
  )
})

test('a task can be named by its CoIN directory, in any case', async () => {
  const original = await loadTemplateSet('original')
  assert.is(original('ScienceQA'), original('scienceqa'))
  assert.is(original('OCRVQA'), original('ocrvqa'))
  const err = await userError(() => original('refcoco'))
  assert.is(err.diagnostic.key, 'refcoco')
  assert.match(err.diagnostic.fix ?? '', 'scienceqa, textvqa, imagenet')
})

test("paraphrase-k is the k-th of ten; ImageNet's are CoIN's verified 10-type instructions, in order", async () => {
  const imagenet = await Promise.all(
    Array.from({ length: 10 }, async (_, i) => (await loadTemplateSet(`paraphrase-${i + 1}`))('imagenet')),
  )
  assert.equal(imagenet, [
    'Describe the content of the image using one word or a concise phrase.',
    'Identify the type of content in the image using one word or a concise phrase.',
    'Express your answer with one word or a short, descriptive phrase.',
    'Use one word or a short phrase to classify the content of the image.',
    'Summarize your response in a single word or a brief phrase.',
    'Respond to the question with a single word or a short, descriptive phrase.',
    'Classify the image content using only one word or a brief phrase.',
    'Give your answer in the form of a single word or a concise phrase.',
    'Use a single word or a short phrase to categorize the image content.',
    'Express your answer in a single word or a short, descriptive phrase.',
  ])
  for (const task of COIN_TASK_IDS) {
    const all = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => (await loadTemplateSet(`paraphrase-${i + 1}`))(task)),
    )
    assert.is(new Set(all).size, 10, `${task}: ten different paraphrases`)
  }
})

test('a name outside the sets is a user error listing the valid names', async () => {
  for (const name of [
    'paraphrase-0',
    'paraphrase-12',
    'paraphrase-01',
    'paraphrase-x',
    'type2',
    'Original',
  ]) {
    const err = await userError(() => loadTemplateSet(name as TemplateSetName))
    assert.is(err.diagnostic.key, name)
    assert.match(err.diagnostic.message, `"${name}"`)
    assert.match(
      err.diagnostic.fix ?? '',
      'original, diverse, paraphrase-1 … paraphrase-11, paraphrase-mixed',
    )
  }
})

test.run()
