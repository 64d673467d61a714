/**
 * The embedded learner's data model: examples, model/method configs and the in-memory checkpoint.
 *
 * Weight layout convention: a linear layer computes y = x·W + b with W stored [in, out] (ONNX
 * MatMul order; PyTorch's nn.Linear stores the transpose).
 */

/** The "image" of a CoIN-mini example: a symbolic scene (its format is defined with the data). */
import type { Scene } from '../../datasets/coin-mini/scene.ts'

export type { Scene, SceneObject } from '../../datasets/coin-mini/scene.ts'

export interface Example {
  prompt: string
  scene: Scene | null
  /** Required for training; ignored by predict. */
  answer?: string
}

export interface ModelConfig {
  /** Number of hash buckets (rows of the embedding table). */
  featureDim: number
  embedDim: number
  /** Widths of the hidden (ReLU) layers; may be empty (then the bag feeds the softmax directly). */
  hidden: number[]
  /** The answer vocabulary; predictions are argmax over it. */
  vocab: string[]
  /** Seeds the base weights' initialisation. */
  seed: number
}

export type MethodConfig =
  | { kind: 'full' }
  | { kind: 'lora'; r: number; alpha: number }
  | { kind: 'moelora'; r: number; alpha: number; experts: number }

export interface TrainOptions {
  steps: number
  lr: number
  batchSize: number
  /** Seeds adapter initialisation and batch sampling. */
  seed: number
  /** onnxruntime intra-op threads (default 1). Checkpoints are byte-identical for the same count. */
  threads?: number
  /** Called every PROGRESS_EVERY steps and after the last one; `loss` is the mean over that window. */
  onProgress?: (p: { step: number; total: number; loss: number }) => void
  signal?: AbortSignal
}

export interface PredictOptions {
  threads?: number
  /** Examples per session run (default 512). Does not change results. */
  batchSize?: number
}

/** A float32 tensor, row-major. */
export interface Tensor {
  shape: number[]
  data: Float32Array
}

/** The adapter a lora/moelora method trains; the base stays frozen while it exists. */
export interface Adapter {
  method: Exclude<MethodConfig, { kind: 'full' }>
  /** `layers.{i}.lora_A` [in, r], `layers.{i}.lora_B` [r, out] and, for moelora, `layers.{i}.router` [in, E]. */
  tensors: Record<string, Tensor>
}

/** What one train() call did; kept in config.json as provenance. */
export interface TrainRecord {
  method: MethodConfig
  steps: number
  lr: number
  batchSize: number
  seed: number
  /** onnxruntime intra-op threads (results are reproducible for the same count). */
  threads: number
  examples: number
  /** Mean loss over the last progress window (null when steps = 0). */
  finalLoss: number | null
}

export interface Checkpoint {
  config: ModelConfig
  /** `embedding` [featureDim, embedDim], `layers.{i}.weight` [in, out], `layers.{i}.bias` [out]. */
  base: Record<string, Tensor>
  adapter: Adapter | null
  history: TrainRecord[]
}
