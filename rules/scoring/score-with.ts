import { UserError } from '../../src/errors.ts'
import type { ItemScore, Prediction, ScoreResult, Scorer, TestRecord } from './types.ts'

/**
 * Pairs predictions with test records and totals a scorer's item scores. Differences from CoIN's
 * scripts, all deliberate (DOMAIN.md §1.6):
 *   - the denominator is the test set, not the prediction file (CoIN divides by the lines of
 *     merge.jsonl, so a truncated run looks better than it is); a test without a prediction
 *     scores 0 and counts in `missing`;
 *   - question ids match as strings (12 and "12" pair), as CoIN's TextVQA/VQAv2 scripts do and the
 *     others would have if their ids ever changed type on the way through a model;
 *   - a repeated prediction id keeps the last line, like the Python dicts CoIN builds;
 *   - predictions for no test record are counted in `unmatched` instead of crashing (KeyError).
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
  const paired = scorer.pairing === 'row_index' ? pairByRow(tests, predictions) : pairById(tests, predictions)

  const perItem: ItemScore[] = []
  let correct = 0
  let parseFailures = 0
  let missing = 0
  tests.forEach((test, i) => {
    const prediction = paired.predictions[i]
    if (prediction === undefined) {
      missing++
      perItem.push({ question_id: test.question_id, score: 0, parsed: false, missing: true })
      return
    }
    const { score, parsed } = scorer.scoreItem(test, prediction)
    if (!parsed) parseFailures++
    correct += score
    perItem.push({ question_id: test.question_id, score, parsed, missing: false })
  })

  return {
    metric: 'accuracy',
    value: (100 * correct) / tests.length,
    n: tests.length,
    correct,
    parse_failures: parseFailures,
    missing,
    unmatched: paired.unmatched,
    perItem,
  }
}

interface Pairing {
  /** predictions[i] belongs to tests[i]; undefined where none does. */
  predictions: (Prediction | undefined)[]
  unmatched: number
}

function pairById(tests: readonly TestRecord[], predictions: readonly Prediction[]): Pairing {
  const byId = new Map<string, Prediction>()
  for (const p of predictions) byId.set(String(p.question_id), p)
  const testIds = new Set(tests.map((t) => String(t.question_id)))
  let unmatched = 0
  for (const id of byId.keys()) if (!testIds.has(id)) unmatched++
  return { predictions: tests.map((t) => byId.get(String(t.question_id))), unmatched }
}

/** ImageNet's CoIN rule: line i of merge.jsonl answers record i of test.json, ids unread. */
function pairByRow(tests: readonly TestRecord[], predictions: readonly Prediction[]): Pairing {
  return {
    predictions: tests.map((_, i) => predictions[i]),
    unmatched: Math.max(0, predictions.length - tests.length),
  }
}
