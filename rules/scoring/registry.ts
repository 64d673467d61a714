import { UserError } from '../../src/errors.ts'
import { type TaskId, toTaskId } from '../datasets/tasks.ts'
import {
  ocrVqaScorer,
  vizWizScorer,
  vizWizStrictScorer,
  vqaV2Scorer,
  vqaV2StrictScorer,
} from './exact-match.ts'
import { gqaScorer, gqaStrictScorer } from './gqa.ts'
import { groundingScorerCoin, groundingScorerStrict } from './grounding.ts'
import { imageNetScorer, imageNetStrictScorer } from './imagenet.ts'
import { scienceQaScorer } from './scienceqa.ts'
import { scoreWith } from './score-with.ts'
import { textVqaScorer } from './textvqa.ts'
import type { Prediction, ScoreResult, Scorer, TestRecord, Variant } from './types.ts'

export const VARIANTS: readonly Variant[] = ['coin', 'strict']

/**
 * Every task's rule per variant. Every strict rule divides by the test set. ScienceQA, TextVQA and
 * OCR-VQA have no other strict fix: their CoIN item rule already is the benchmark's metric (or its
 * defect, OCR-VQA's "Unanswerable" filter, only bites outputs that are wrong anyway).
 */
const SCORERS: Record<TaskId, Record<Variant, Scorer>> = {
  scienceqa: { coin: scienceQaScorer, strict: strictDenominator(scienceQaScorer) },
  textvqa: { coin: textVqaScorer, strict: strictDenominator(textVqaScorer) },
  imagenet: { coin: imageNetScorer, strict: imageNetStrictScorer },
  gqa: { coin: gqaScorer, strict: gqaStrictScorer },
  vizwiz: { coin: vizWizScorer, strict: vizWizStrictScorer },
  grounding: { coin: groundingScorerCoin, strict: groundingScorerStrict },
  vqav2: { coin: vqaV2Scorer, strict: vqaV2StrictScorer },
  ocrvqa: { coin: ocrVqaScorer, strict: strictDenominator(ocrVqaScorer) },
}

/** The CoIN rule with one fix: every test record counts, a missing prediction scoring 0. */
function strictDenominator(scorer: Scorer): Scorer {
  return { ...scorer, variant: 'strict', denominator: 'tests' }
}

/** The scorer of a task (id or CoIN folder name, e.g. "OCR-VQA") in a variant. */
export function getScorer(task: string, variant: Variant = 'coin'): Scorer {
  const id = toTaskId(task, { key: 'task' })
  if (!VARIANTS.includes(variant)) {
    throw new UserError({
      message: `unknown scoring variant "${variant}"`,
      key: 'variant',
      fix: `use one of: ${VARIANTS.join(', ')}`,
    })
  }
  return SCORERS[id][variant]
}

/** Scores a task's predictions against its test records (pure; see scoreWith for the pairing). */
export function scoreTask(
  task: string,
  tests: readonly TestRecord[],
  predictions: readonly Prediction[],
  variant: Variant = 'coin',
): ScoreResult {
  return scoreWith(getScorer(task, variant), tests, predictions)
}
