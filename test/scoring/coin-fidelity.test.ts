/**
 * Fixtures scored by CoIN's own scripts (zackschen/CoIN at 4122465, ETrain/Eval/LLaVA/CoIN/*.py,
 * run with Python 3.11 on the files in test/fixtures/coin-scoring; tqdm and PIL stubbed, since
 * neither affects a number). Each `coin` figure below is what the script printed; the `strict`
 * figures are the fixed rules. Commands (from a checkout of CoIN, F = the fixture folder):
 *   python -m ETrain.Eval.LLaVA.CoIN.eval_textvqa --annotation-file $F/textvqa/TextVQA_0.5.1_val.json --result-file $F/textvqa/merge.jsonl
 *   python -m ETrain.Eval.LLaVA.CoIN.eval_vqav2 --annotation-file $F/vqav2/val.json --result-file $F/vqav2/merge.jsonl
 *   python -m ETrain.Eval.LLaVA.CoIN.convert_gqa_for_eval --src $F/gqa/merge.jsonl --dst out/testdev_balanced_predictions.json
 *   python -m ETrain.Eval.LLaVA.CoIN.eval_gqa --tier testdev_balanced --path out   (questions: $F/gqa/testdev_balanced_questions.json)
 *   python -m ETrain.Eval.LLaVA.CoIN.eval_grounding --test-file $F/grounding/test.json --result-file $F/grounding/merge.jsonl
 *   python -m ETrain.Eval.LLaVA.CoIN.eval_science_qa --base-dir $F/scienceqa --result-file $F/scienceqa/merge.jsonl
 *   python -m ETrain.Eval.LLaVA.CoIN.eval_ImagetNet --test-file $F/imagenet/test.json --result-file $F/imagenet/merge.jsonl
 */
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Variant } from '../../rules/scoring/index.ts'
import { formatWarnings, runScore } from '../../src/cli/commands/score.ts'

const F = join(import.meta.dirname, '..', 'fixtures', 'coin-scoring')
const at = (task: string, file: string) => join(F, task, file)

async function score(task: string, testFile: string | undefined, variant: Variant, annotations?: string) {
  return runScore({
    task,
    ...(testFile === undefined ? {} : { test: at(task, testFile) }),
    pred: at(task, 'merge.jsonl'),
    variant,
    ...(annotations === undefined ? {} : { annotations }),
  })
}

const twoDecimals = (v: number) => Math.round(v * 100) / 100

test("TextVQA: the 10 answers of TextVQA_0.5.1_val.json give CoIN's 86.67; val.json's one answer gives 66.67, loudly", async () => {
  const ten = await score('textvqa', 'val.json', 'coin', at('textvqa', 'TextVQA_0.5.1_val.json'))
  assert.is(twoDecimals(ten.value), 86.67) // eval_textvqa.py: Samples: 3, Accuracy: 86.67%
  assert.is(ten.n, 3)
  assert.equal(ten.warnings, [])
  // "stop sign" is right by 8 of 10 humans, wrong by val.json's "stop"; "coca cola" gets 0.6 of 1.
  assert.equal(
    ten.perItem.map((i) => twoDecimals(i.score)),
    [1, 0.6, 1],
  )
  const one = await score('textvqa', 'val.json', 'coin')
  assert.is(twoDecimals(one.value), 66.67)
  assert.equal(
    one.perItem.map((i) => i.score),
    [0, 1, 1],
  )
  assert.match(formatWarnings(one), /TEXTVQA SCORED AGAINST ONE ANSWER: 3 of 3 test records/)
  assert.match(formatWarnings(one), /--annotations/)
})

test('TextVQA: a test record the annotation file lacks is a user error naming it', async () => {
  const { writeFile, mkdtemp } = await import('node:fs/promises')
  const dir = await mkdtemp(join((await import('node:os')).tmpdir(), 'coin-tvqa-'))
  const partial = join(dir, 'ann.json')
  await writeFile(
    partial,
    JSON.stringify({ data: [{ question_id: 34602, answers: Array(10).fill('stop') }] }),
  )
  try {
    await score('textvqa', 'val.json', 'coin', partial)
    assert.unreachable()
  } catch (e) {
    assert.is((e as Error).name, 'UserError')
    assert.match(
      (e as Error).message,
      /2 of 3 TextVQA test records have no entry \(first: question_id 34603\)/,
    )
  }
})

test('denominator: VQAv2 divides by the prediction lines, duplicates scored each time (66.67); strict by the tests (25)', async () => {
  const coin = await score('vqav2', 'val.json', 'coin')
  assert.is(twoDecimals(coin.value), 66.67) // eval_vqav2.py: Samples: 3, Accuracy: 66.67%
  assert.equal(
    [coin.n, coin.denominator, coin.lines, coin.duplicates, coin.missing],
    [3, 'predictions', 3, 1, 2],
  )
  assert.match(coin.warnings.join('\n'), /2 test record\(s\) have no prediction \(first: 3\)/)
  assert.match(
    coin.warnings.join('\n'),
    /1 prediction line\(s\) repeat an earlier question_id; each line is scored/,
  )
  const strict = await score('vqav2', 'val.json', 'strict')
  assert.equal([strict.n, strict.value, strict.denominator], [4, 25, 'tests'])
  assert.match(strict.warnings.join('\n'), /only the last line of each id counts/)
})

test('GQA: distinct predicted ids (last line wins), no leading-space drop: 66.67; strict 75', async () => {
  const coin = await score('gqa', 'test.json', 'coin')
  assert.is(twoDecimals(coin.value), 66.67) // eval_gqa.py: Accuracy: 66.67% (3 questions)
  assert.equal([coin.n, coin.denominator, coin.duplicates], [3, 'unique_predictions', 1])
  const strict = await score('gqa', 'test.json', 'strict')
  assert.equal([strict.n, strict.value], [4, 75]) // " left" trimmed; 204 unanswered counts 0
})

test('Grounding: a test file without "answer", no leading-space drop, every line counted: 60; strict 75', async () => {
  const coin = await score('grounding', 'test.json', 'coin')
  assert.is(coin.value, 60) // eval_grounding.py: Samples: 5, Accuracy: 60.00%
  assert.equal([coin.n, coin.correct, coin.parse_failures], [5, 3, 1])
  // "[0.1, 0.2, 0.3, 0.4]" loses y2 to the slice; " [.5, .5, .9, .90]" keeps x1 because the slice eats the space.
  assert.equal(
    coin.perItem.map((i) => i.score),
    [1, 0, 1, 0, 1],
  )
  const strict = await score('grounding', 'test.json', 'strict')
  assert.equal([strict.n, strict.value], [4, 75])
})

test("ScienceQA: gold from problems.json + pid_splits.json, every test pid counted: CoIN's 75", async () => {
  const coin = await score('scienceqa', undefined, 'coin', at('scienceqa', '.'))
  assert.equal([coin.value, coin.n, coin.correct, coin.missing], [75, 4, 3, 1]) // Total: 4, Correct: 3, Accuracy: 75.00%
  assert.match(coin.warnings.join('\n'), /1 test record\(s\) have no prediction \(first: 13\); they score 0/)
})

test('ScienceQA: a test.json gold that is not a letter is a user error', async () => {
  const { scoreTask } = await import('../../rules/scoring/index.ts')
  const record = { question_id: 5, text: 'Which?', answer: 'B. the cat' }
  assert.throws(
    () => scoreTask('scienceqa', [record], [{ question_id: 5, text: 'B' }]),
    (e: Error) => e.name === 'UserError' && /has the answer "B\. the cat", not a letter A-E/.test(e.message),
  )
})

test("ScienceQA: a letter beyond the question's choices is wrong (get_pred_idx)", async () => {
  const { scoreTask } = await import('../../rules/scoring/index.ts')
  const record = { question_id: 5, text: '', answer: 'B', choices: 1 }
  assert.is(scoreTask('scienceqa', [record], [{ question_id: 5, text: 'B' }]).value, 0)
})

test('ImageNet: paired by row as CoIN does (33.33), with the id mismatches flagged; strict pairs by id (100)', async () => {
  const coin = await score('imagenet', 'test.json', 'coin')
  assert.is(twoDecimals(coin.value), 33.33) // eval_ImagetNet.py: Samples: 3, Accuracy: 33.33%
  assert.is(coin.id_mismatches, 2)
  assert.match(
    coin.warnings.join('\n'),
    /2 of 3 rows pair a prediction with a test record of another question_id \(first: row 2, test n1, prediction n2\)/,
  )
  const strict = await score('imagenet', 'test.json', 'strict')
  assert.equal([strict.value, strict.id_mismatches, strict.warnings], [100, 0, []])
})

test.run()
