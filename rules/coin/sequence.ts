/**
 * The continual-learning primitives. `sequence()` expands a task order and a method into one train
 * target per stage (stage k reads stage k−1's checkpoint and task k's prompts) plus the evaluation
 * targets of the matrix: after stage k, every task j ≤ k (or every task, with `fullMatrix`).
 * A stage's key depends only on its prefix (the engine keys by upstream *output*, not by id), so
 * two experiments whose orders share a prefix share those checkpoints.
 */
import type { AnyTargetDecl, InputRef } from '../../src/config/define.ts'
import { output } from '../../src/config/define.ts'
import type { MethodConfig } from '../learner/index.ts'
import type { Variant } from '../scoring/index.ts'
import { predictTask, scoreTaskRule } from './eval-rules.ts'
import type { Cell } from './report-rule.ts'
import { type Optimisation, trainStage } from './train-rules.ts'

export interface StageOverrides {
  steps?: number
  lr?: number
}

export interface SequenceSpec {
  /** The experiment name: target ids are `train/<name>/<k>-<task>`. */
  name: string
  /** Names the task order in the results (`coin`, `alphabet`, ...). */
  orderName: string
  order: readonly string[]
  /** The method's name in the results (`lora`, `moelora`, `full`...). */
  methodName: string
  method: MethodConfig
  /** The target id of the starting checkpoint (usually `train/base`). */
  base: string
  /** Prompts target per task: `(task) => 'prompts/<task>@original'`. */
  prompts: (task: string) => string
  optimisation: Optimisation
  /** Per-task overrides of steps / lr (`stages.vqav2.lr`). */
  stages?: Record<string, StageOverrides>
  /** Evaluate every task after every stage (the upper triangle too, for FWT). */
  fullMatrix?: boolean
  variant?: Variant
  /**
   * The gold CoIN's scorer reads instead of the test file, per task: TextVQA's
   * TextVQA_0.5.1_val.json (`file(...)`), ScienceQA's folder of problems.json and pid_splits.json
   * (`dir(...)`). Tasks without one are scored against their test records.
   */
  annotations?: Readonly<Record<string, InputRef>>
}

export interface Evaluation {
  targets: AnyTargetDecl[]
  cell: Omit<Cell, 'input'>
  scoreId: string
}

/** predict + score targets for one checkpoint on one task. */
export function evaluate(o: {
  checkpoint: string
  idSuffix: string
  task: string
  prompts: string
  threads: number
  variant: Variant
  cell: Omit<Cell, 'input' | 'target' | 'params'>
  /** See SequenceSpec.annotations: this task's gold file, if any. */
  annotations?: InputRef
}): Evaluation {
  const predictId = `predict/${o.idSuffix}`
  const scoreId = `eval/${o.idSuffix}`
  const params = { task: o.task, variant: o.variant }
  return {
    targets: [
      predictTask(predictId, {
        inputs: { model: output(o.checkpoint), data: output(o.prompts) },
        params: { task: o.task, threads: o.threads },
      }),
      scoreTaskRule(scoreId, {
        inputs: {
          predictions: output(predictId),
          data: output(o.prompts),
          ...(o.annotations ? { annotations: o.annotations } : {}),
        },
        params,
      }),
    ],
    scoreId,
    cell: { ...o.cell, target: scoreId, params },
  }
}

export function sequence(s: SequenceSpec): {
  targets: AnyTargetDecl[]
  evaluations: Evaluation[]
  final: string
} {
  const targets: AnyTargetDecl[] = []
  const evaluations: Evaluation[] = []
  let previous = s.base
  s.order.forEach((task, i) => {
    const k = i + 1
    const id = `train/${s.name}/${k}-${task}`
    const o = { ...s.optimisation, ...s.stages?.[task] }
    targets.push(
      trainStage(id, {
        inputs: { model: output(previous), data: output(s.prompts(task)) },
        params: { ...o, task, method: s.method },
      }),
    )
    const evalTasks = s.fullMatrix ? s.order : s.order.slice(0, k)
    for (const evalTask of evalTasks) {
      const e = evaluate({
        checkpoint: id,
        idSuffix: `${s.name}/${k}-${task}/${evalTask}`,
        task: evalTask,
        prompts: s.prompts(evalTask),
        threads: o.threads,
        variant: s.variant ?? 'coin',
        annotations: s.annotations?.[evalTask],
        cell: {
          experiment: s.name,
          method: s.methodName,
          order_name: s.orderName,
          stage: k,
          stage_task: task,
          eval_task: evalTask,
        },
      })
      targets.push(...e.targets)
      evaluations.push(e)
    }
    previous = id
  })
  return { targets, evaluations, final: previous }
}
