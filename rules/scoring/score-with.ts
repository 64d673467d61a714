import { UserError } from '../../src/errors.ts'
import type { Denominator, ItemScore, Prediction, ScoreResult, Scorer, TestRecord } from './types.ts'

/**
 * Pairs predictions with test records and totals a scorer's item scores, dividing by what the
 * scorer's CoIN script divides by (`Denominator`). Everything the number hides is a warning with
 * counts: test records without a prediction, repeated prediction ids, ids no test record has,
 * rows whose ids disagree (ImageNet's row pairing).
 *   - question ids match as strings (12 and "12" pair), as CoIN's TextVQA/VQAv2 scripts do;
 *   - a prediction whose id no test record has is not scored and not counted (CoIN's scripts
 *     stop with a KeyError there, so no published number includes one).
 */
export function scoreWith(
  scorer: Scorer,
  tests: readonly TestRecord[],
  predictions: readonly Prediction[],
): ScoreResult {
  if (tests.length === 0) {
    throw new UserError({
      message: `no test records to score for task ${scorer.task}`,
      fix: 'check that the test file holds the records of this task',
    })
  }
  const units =
    scorer.pairing === 'row_index' ? byRow(tests, predictions) : byId(tests, predictions, scorer.denominator)

  const perItem: ItemScore[] = []
  let correct = 0
  let parseFailures = 0
  let counted = 0
  for (const { test, prediction } of units.scored) {
    counted++
    if (prediction === undefined) {
      perItem.push({ question_id: test.question_id, score: 0, parsed: false, missing: true })
      continue
    }
    const { score, parsed } = scorer.scoreItem(test, prediction)
    if (!parsed) parseFailures++
    correct += score
    perItem.push({ question_id: test.question_id, score, parsed, missing: false })
  }
  if (scorer.denominator !== 'tests')
    for (const test of units.unanswered)
      perItem.push({ question_id: test.question_id, score: 0, parsed: false, missing: true })

  const result = {
    metric: 'accuracy' as const,
    value: counted === 0 ? 0 : (100 * correct) / counted,
    n: counted,
    denominator: scorer.denominator,
    lines: predictions.length,
    duplicates: units.duplicates,
    id_mismatches: units.idMismatches.count,
    correct,
    parse_failures: parseFailures,
    missing: units.unanswered.length,
    unmatched: units.unmatched,
    perItem,
  }
  return { ...result, warnings: [...(scorer.checkTests?.(tests) ?? []), ...warningsFor(result, units)] }
}

interface Units {
  /** What the denominator counts, in order; `prediction` is undefined for a missing one. */
  scored: { test: TestRecord; prediction: Prediction | undefined }[]
  /** Test records no prediction answers. */
  unanswered: TestRecord[]
  duplicates: number
  unmatched: number
  idMismatches: { count: number; first?: { row: number; test: string; prediction: string } }
}

function byId(
  tests: readonly TestRecord[],
  predictions: readonly Prediction[],
  denominator: Denominator,
): Units {
  const testById = new Map(tests.map((t) => [String(t.question_id), t]))
  const lastById = new Map<string, Prediction>()
  const known: { test: TestRecord; prediction: Prediction }[] = []
  let duplicates = 0
  let unmatched = 0
  for (const p of predictions) {
    const id = String(p.question_id)
    if (lastById.has(id)) duplicates++
    lastById.set(id, p)
    const test = testById.get(id)
    if (test === undefined) unmatched++
    else known.push({ test, prediction: p })
  }
  const unanswered = tests.filter((t) => !lastById.has(String(t.question_id)))
  const scored =
    denominator === 'predictions'
      ? known
      : denominator === 'unique_predictions'
        ? [...lastById].flatMap(([id, prediction]) => {
            const test = testById.get(id)
            return test ? [{ test, prediction }] : []
          })
        : tests.map((test) => ({ test, prediction: lastById.get(String(test.question_id)) }))
  return { scored, unanswered, duplicates, unmatched, idMismatches: { count: 0 } }
}

/**
 * ImageNet's CoIN rule: line i of merge.jsonl answers record i of test.json and ids are never
 * read; the denominator is the prediction lines. Lines past the end of the test set are not
 * scored (CoIN's script stops with an IndexError there).
 */
function byRow(tests: readonly TestRecord[], predictions: readonly Prediction[]): Units {
  const rows = Math.min(tests.length, predictions.length)
  const scored: Units['scored'] = []
  const idMismatches: Units['idMismatches'] = { count: 0 }
  const seen = new Set<string>()
  let duplicates = 0
  for (const p of predictions) {
    const id = String(p.question_id)
    if (seen.has(id)) duplicates++
    seen.add(id)
  }
  for (let row = 0; row < rows; row++) {
    const test = tests[row]!
    const prediction = predictions[row]!
    scored.push({ test, prediction })
    if (String(test.question_id) !== String(prediction.question_id)) {
      idMismatches.count++
      idMismatches.first ??= {
        row,
        test: String(test.question_id),
        prediction: String(prediction.question_id),
      }
    }
  }
  return {
    scored,
    unanswered: tests.slice(rows),
    duplicates,
    unmatched: Math.max(0, predictions.length - tests.length),
    idMismatches,
  }
}

function warningsFor(r: Omit<ScoreResult, 'warnings'>, units: Units): string[] {
  const warnings: string[] = []
  const tests = r.denominator === 'tests'
  if (r.missing > 0)
    warnings.push(
      `${r.missing} test record(s) have no prediction (first: ${units.unanswered[0]?.question_id}); ` +
        (tests
          ? 'they score 0'
          : `CoIN's rule divides by the prediction file, so they do not count and the accuracy is over ${r.n} of the test records; --variant strict counts them as wrong`),
    )
  if (r.duplicates > 0)
    warnings.push(
      `${r.duplicates} prediction line(s) repeat an earlier question_id; ` +
        (r.denominator === 'predictions'
          ? 'each line is scored and counted, as CoIN does'
          : 'only the last line of each id counts'),
    )
  if (r.unmatched > 0)
    warnings.push(
      `${r.unmatched} prediction line(s) match no test record; not scored (CoIN's script would stop with a KeyError or IndexError there)`,
    )
  const m = units.idMismatches
  if (m.first)
    warnings.push(
      `${m.count} of ${r.n} rows pair a prediction with a test record of another question_id ` +
        `(first: row ${m.first.row + 1}, test ${m.first.test}, prediction ${m.first.prediction}); ` +
        "CoIN's ImageNet rule pairs by row and never reads ids; --variant strict pairs by question_id",
    )
  return warnings
}
