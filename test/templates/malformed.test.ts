import { copyFile, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { DEFAULT_TEMPLATE_DIR, loadTemplateSet, type TemplateSetName } from '../../rules/templates/index.ts'
import { UserError } from '../../src/errors.ts'
import { tempDir } from '../coin-mini/fixture.ts'

/**
 * A broken template file must be reported as a UserError that names the file, the JSON pointer of
 * the broken value and the fix, never as a crash or a silently wrong prompt.
 */
/** A template file as the tests edit it: per task one instruction or a list of them. */
interface SetFile {
  templates: Record<string, string | string[]>
  [key: string]: unknown
}
const readSet = async (file: string): Promise<SetFile> =>
  JSON.parse(await readFile(join(DEFAULT_TEMPLATE_DIR, file), 'utf8'))
const list = (set: SetFile, task: string) => set.templates[task] as string[]

/** A template dir holding the bundled files, with `file` replaced by `content`. */
async function dirWith(file: string, content: string): Promise<string> {
  const dir = await tempDir('templates')
  for (const f of ['original.json', 'diverse.json', 'paraphrase.json']) {
    await copyFile(join(DEFAULT_TEMPLATE_DIR, f), join(dir, f))
  }
  await writeFile(join(dir, file), content)
  return dir
}

async function loadError(name: TemplateSetName, dir: string): Promise<UserError> {
  try {
    await loadTemplateSet(name, dir)
  } catch (err) {
    if (err instanceof UserError) return err
    throw err
  }
  throw new Error(`expected ${name} in ${dir} to fail`)
}

async function expectProblem(
  name: TemplateSetName,
  file: string,
  edit: (set: SetFile) => void,
  expected: { key: string; message: string; fix: string },
): Promise<void> {
  const set = await readSet(file)
  edit(set)
  const dir = await dirWith(file, JSON.stringify(set, null, 2))
  const { diagnostic } = await loadError(name, dir)
  assert.is(diagnostic.file, join(dir, file))
  assert.is(diagnostic.key, expected.key)
  assert.match(diagnostic.message, expected.message)
  assert.match(diagnostic.fix ?? '', expected.fix)
}

test('invalid JSON: the file, the line and the fix', async () => {
  const dir = await dirWith('diverse.json', '{\n  "templates": {\n    "scienceqa": "x",,\n  }\n}\n')
  const { diagnostic } = await loadError('diverse', dir)
  assert.is(diagnostic.file, join(dir, 'diverse.json'))
  assert.is(diagnostic.line, 3)
  assert.match(diagnostic.message, 'not valid JSON')
  assert.match(diagnostic.fix ?? '', 'JSON syntax')
})

test('a task left out', () =>
  expectProblem(
    'original',
    'original.json',
    (s) => {
      delete s.templates.vizwiz
    },
    {
      key: '/templates/vizwiz',
      message: 'no template for task "vizwiz"',
      fix: 'add "vizwiz" under "templates"',
    },
  ))

test('a task that is not a CoIN task', () =>
  expectProblem(
    'original',
    'original.json',
    (s) => {
      s.templates.refcoco = 'Find it.'
    },
    {
      key: '/templates/refcoco',
      message: '"refcoco" is not a CoIN task',
      fix: 'remove it or rename it',
    },
  ))

test('a Grounding instruction without {ref}', () =>
  expectProblem(
    'diverse',
    'diverse.json',
    (s) => {
      s.templates.grounding = 'Give the bounding box.'
    },
    {
      key: '/templates/grounding',
      message: 'must end with ": {ref}"',
      fix: '"<instruction>: {ref}"',
    },
  ))

test('an instruction over two lines', () =>
  expectProblem(
    'original',
    'original.json',
    (s) => {
      s.templates.gqa = 'Answer.\nBriefly.'
    },
    {
      key: '/templates/gqa',
      message: 'one non-empty line',
      fix: 'remove line breaks',
    },
  ))

test('a placeholder outside Grounding', () =>
  expectProblem(
    'original',
    'original.json',
    (s) => {
      s.templates.vqav2 = 'Answer about {ref}.'
    },
    {
      key: '/templates/vqav2',
      message: 'without braces',
      fix: 'only Grounding has a placeholder',
    },
  ))

test('a single string where paraphrase.json needs eleven', () =>
  expectProblem(
    'paraphrase-3',
    'paraphrase.json',
    (s) => {
      s.templates.ocrvqa = 'Answer.'
    },
    {
      key: '/templates/ocrvqa',
      message: 'must be a list',
      fix: 'a list of 11 instruction strings',
    },
  ))

test('ten paraphrases', () =>
  expectProblem(
    'paraphrase-1',
    'paraphrase.json',
    (s) => {
      list(s, 'textvqa').pop()
    },
    {
      key: '/templates/textvqa',
      message: 'exactly 11 paraphrases',
      fix: 'give 11 instructions',
    },
  ))

test('a repeated paraphrase, and a bad one deep in the list', async () => {
  await expectProblem(
    'paraphrase-2',
    'paraphrase.json',
    (s) => {
      list(s, 'gqa')[4] = list(s, 'gqa')[1] as string
    },
    {
      key: '/templates/gqa',
      message: 'paraphrases 2 and 5 are the same',
      fix: 'make every paraphrase different',
    },
  )
  await expectProblem(
    'paraphrase-2',
    'paraphrase.json',
    (s) => {
      list(s, 'grounding')[6] = 'Find it.'
    },
    {
      key: '/templates/grounding/6',
      message: 'must end with ": {ref}"',
      fix: '{ref}',
    },
  )
})

test('a missing file, and an unknown top-level key', async () => {
  const dir = await tempDir('templates-empty')
  const missing = await loadError('original', dir)
  assert.is(missing.diagnostic.file, join(dir, 'original.json'))
  assert.match(missing.diagnostic.message, 'has no file')
  await expectProblem(
    'original',
    'original.json',
    (s) => {
      s.template = {}
    },
    {
      key: '/template',
      message: 'unknown key "template"',
      fix: '"templates" and "_source"',
    },
  )
})

test('several problems: the first is reported, the rest counted', async () => {
  const set = await readSet('original.json')
  delete set.templates.gqa
  delete set.templates.vqav2
  const { diagnostic } = await loadError('original', await dirWith('original.json', JSON.stringify(set)))
  assert.match(diagnostic.message, '(and 1 more problem)')
})

test.run()
