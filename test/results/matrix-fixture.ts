/**
 * Builds ingestible results from accuracy matrices written the way papers print them, so a test
 * reads like the R[i][j] it checks. Shared by the results and report suites.
 */
import type { ExperimentKind, ResultsData, ScoreRow } from '../../src/results/index.ts'
import { tempDir as newTempDir } from '../helpers/temp.ts'

/** Row i of the matrix, keyed by stage; `null` or a missing entry = not evaluated. */
export type Matrix = Record<number, (number | null)[]>

export function experiment(name: string, kind: ExperimentKind, tasks: string[], matrix: Matrix): ResultsData {
  const scores: ScoreRow[] = []
  for (const [stageText, row] of Object.entries(matrix)) {
    const stage = Number(stageText)
    row.forEach((value, j) => {
      if (value === null) return
      scores.push({
        experiment: name,
        method: name.split('-')[0] ?? name,
        order_name: 'original',
        stage,
        stage_task: kind === 'multitask' ? 'multitask' : stage === 0 ? 'zeroshot' : (tasks[stage - 1] ?? '?'),
        eval_task: tasks[j] ?? '?',
        metric: 'accuracy',
        value,
        n: 100,
        parse_failures: 0,
        key: `key-${name}-${stage}-${j}`,
        checkpoint: `ckpt-${name}-${stage}`,
      })
    })
  }
  return {
    scores,
    experiments: [
      { experiment: name, method: name.split('-')[0] ?? name, order_name: 'original', tasks, kind },
    ],
  }
}

export function merge(...parts: ResultsData[]): ResultsData {
  return {
    scores: parts.flatMap((p) => p.scores),
    experiments: parts.flatMap((p) => p.experiments),
  }
}

export function tempDir(prefix = 'coin-results-'): string {
  return newTempDir(prefix)
}

/** Tasks with underscores, so LaTeX escaping is exercised. */
export const TASKS = ['science_qa', 'text_vqa', 'imagenet']

/**
 * A complete T = 3 run with a zero-shot row and the cells above the diagonal.
 *   row 0: b = 30 20 10
 *   row 1: 80 75 12      (R[1][2] = 75 is above the diagonal: used by FWT, ignored by forgetting)
 *   row 2: 85 70 15
 *   row 3: 50 40 90
 * ACC = 60; BWT = ((50−80)+(40−70))/2 = −30; BWT/T = −60/3 = −20;
 * FWT = ((75−20)+(15−10))/2 = 30; forgetting = ((85−50)+(70−40))/2 = 32.5;
 * MAA = (80 + (85+70)/2 + 60)/3 = 72.5.
 */
export const FULL: Matrix = {
  0: [30, 20, 10],
  1: [80, 75, 12],
  2: [85, 70, 15],
  3: [50, 40, 90],
}

/** The joint-training bound for the same tasks: ACC = 191/3. */
export const JOINT: Matrix = { 3: [52, 48, 91] }

export function smallResults(): ResultsData {
  return merge(
    experiment('lora', 'sequential', TASKS, FULL),
    experiment('joint', 'multitask', TASKS, JOINT),
    experiment('base', 'zeroshot', TASKS, { 0: [30, 20, 10] }),
  )
}
