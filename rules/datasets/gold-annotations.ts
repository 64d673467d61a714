import { join } from 'node:path'
import { UserError } from '../../src/errors.ts'
import { parseJsonDocument, readDataFile } from './json-text.ts'
import type { TestRecord } from './records.ts'

/**
 * The gold files CoIN's scorers read instead of the test file (DOMAIN.md §1.2):
 *   - TextVQA: `TextVQA_0.5.1_val.json`, `{"data": [{"question_id", "answers": [10 strings]}, ...]}`
 *     (eval_textvqa.py `--annotation-file`);
 *   - ScienceQA: `problems.json` (`{pid: {"choices": [...], "answer": <index>}}`) and
 *     `pid_splits.json` (`{"test": [pid, ...]}`) in one folder (eval_science_qa.py `--base-dir`).
 */

const TEXTVQA_FIX =
  'give TextVQA\'s own TextVQA_0.5.1_val.json: {"data": [{"question_id": 34602, "answers": ["nous les gosses", ...10 answers]}, ...]}'

/** question_id (as a string) → the 10 human answers. */
export async function loadTextVqaAnnotations(file: string): Promise<Map<string, string[]>> {
  const value = parseJsonDocument(await readDataFile(file), file, TEXTVQA_FIX)
  const data = (value as { data?: unknown } | null)?.data
  if (!Array.isArray(data))
    throw new UserError({
      message: `${file}: expected an object with a "data" array`,
      file,
      fix: TEXTVQA_FIX,
    })
  const answers = new Map<string, string[]>()
  data.forEach((entry: { question_id?: unknown; answers?: unknown }, i) => {
    const id = entry?.question_id
    const list = entry?.answers
    const ok =
      (typeof id === 'string' || typeof id === 'number') &&
      Array.isArray(list) &&
      list.length > 0 &&
      list.every((a) => typeof a === 'string')
    if (!ok)
      throw new UserError({
        message: `${file}: data[${i}] needs "question_id" and a non-empty "answers" array of strings`,
        file,
        key: `/data/${i}`,
        fix: TEXTVQA_FIX,
      })
    answers.set(String(id), list as string[])
  })
  return answers
}

/** The test records with their answers replaced by the annotation file's (every record must be there). */
export function withTextVqaAnnotations(
  tests: readonly TestRecord[],
  annotations: ReadonlyMap<string, string[]>,
  file: string,
): TestRecord[] {
  const absent = tests.filter((t) => !annotations.has(String(t.question_id)))
  if (absent.length > 0)
    throw new UserError({
      message: `${file}: ${absent.length} of ${tests.length} TextVQA test records have no entry (first: question_id ${absent[0]!.question_id})`,
      file,
      key: String(absent[0]!.question_id),
      fix: 'give the annotation file of the split the test records come from (TextVQA_0.5.1_val.json for CoIN)',
    })
  return tests.map((t) => ({ ...t, answer: annotations.get(String(t.question_id))! }))
}

const LETTERS = ['A', 'B', 'C', 'D', 'E']
const SCIENCEQA_FIX =
  'give ScienceQA\'s folder holding problems.json ({"<pid>": {"choices": [...], "answer": 0, ...}}) and pid_splits.json ({"test": ["<pid>", ...]})'

/**
 * ScienceQA's gold answers as test records, one per pid of the split, as eval_science_qa.py reads
 * them: `answer` is the letter of `problems[pid].answer`, `choices` the number of options (a
 * parsed letter beyond them is wrong, as `get_pred_idx` makes it).
 */
export async function loadScienceQaProblems(dir: string, split = 'test'): Promise<TestRecord[]> {
  const problemsFile = join(dir, 'problems.json')
  const splitsFile = join(dir, 'pid_splits.json')
  const [problems, splits] = await Promise.all([
    readDataFile(problemsFile).then((t) => parseJsonDocument(t, problemsFile, SCIENCEQA_FIX)),
    readDataFile(splitsFile).then((t) => parseJsonDocument(t, splitsFile, SCIENCEQA_FIX)),
  ])
  const pids = (splits as Record<string, unknown> | null)?.[split]
  if (!Array.isArray(pids) || pids.length === 0)
    throw new UserError({
      message: `${splitsFile}: no non-empty "${split}" list of problem ids`,
      file: splitsFile,
      key: split,
      fix: SCIENCEQA_FIX,
    })
  return pids.map((pid) => {
    const p = (problems as Record<string, { choices?: unknown; answer?: unknown }> | null)?.[String(pid)]
    const choices = Array.isArray(p?.choices) ? p.choices.length : 0
    const index = p?.answer
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= Math.min(choices, 5))
      throw new UserError({
        message: `${problemsFile}: problem ${pid} needs "choices" (2-5 options) and an integer "answer" index into them`,
        file: problemsFile,
        key: String(pid),
        fix: SCIENCEQA_FIX,
      })
    return { question_id: String(pid), text: '', answer: LETTERS[index]!, choices }
  })
}

/**
 * The records a task is scored against: the test records, with the gold of `annotations` where
 * CoIN's scorer reads it from there (TextVQA: the annotation file; ScienceQA: the folder of
 * problems.json and pid_splits.json, which replaces the test file altogether).
 */
export async function goldRecords(
  task: string,
  tests: readonly TestRecord[] | undefined,
  annotations: string | undefined,
): Promise<TestRecord[]> {
  if (annotations !== undefined && task === 'scienceqa') return loadScienceQaProblems(annotations)
  if (tests === undefined)
    throw new UserError({
      message: `no test file to score ${task} against`,
      key: 'test',
      fix: 'give the test file (--test test.json); only ScienceQA can be scored from --annotations alone',
    })
  if (annotations === undefined) return [...tests]
  if (task === 'textvqa')
    return withTextVqaAnnotations(tests, await loadTextVqaAnnotations(annotations), annotations)
  throw new UserError({
    message: `annotations were given for ${task}, whose CoIN scorer reads only the test file`,
    key: 'annotations',
    fix: 'give annotations only for textvqa (TextVQA_0.5.1_val.json) or scienceqa (the folder of problems.json and pid_splits.json)',
  })
}
