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

/**
 * `dropout` is LoRA's dropout on the adapter's input (CoIN's lora_dropout, default 0.05); it acts
 * only while training.
 */
export type MethodConfig =
  | { kind: 'full' }
  | { kind: 'lora'; r: number; alpha: number; dropout?: number }
  | { kind: 'moelora'; r: number; alpha: number; experts: number; dropout?: number }

/**
 * The learning-rate schedule of one train() call (one CoIN stage), as HuggingFace's Trainer runs it:
 * `constant`, or `cosine` with linear warmup over ceil(warmupRatio · steps) steps (CoIN: cosine,
 * warmup_ratio 0.03). Step t (0-based) uses lr·t/warmup during warmup, then
 * lr·½(1 + cos(π·(t − warmup)/(steps − warmup))), so the first step of a warmed-up run has lr 0.
 */
export type Schedule = { kind: 'constant' } | { kind: 'cosine'; warmupRatio: number }

export interface TrainOptions {
  steps: number
  lr: number
  /** Default constant. */
  schedule?: Schedule
  /**
   * Decoupled (AdamW) weight decay, as HuggingFace's Trainer applies it: every weight matrix and
   * the embedding rows of the batch, not biases. Default 0 (CoIN trains with weight_decay 0).
   */
  weightDecay?: number
  batchSize: number
  /** Seeds adapter initialisation and batch sampling. */
  seed: number
  /** onnxruntime intra-op threads (default 1). Checkpoints are byte-identical for the same count. */
  threads?: number
  /** Called every PROGRESS_EVERY steps and after the last one; `loss` is the mean over that window. */
  onProgress?: (p: { step: number; total: number; loss: number }) => void
  signal?: AbortSignal
  /**
   * Resumable training (see resume.ts): save the run's whole state into `dir` every `every` steps
   * (and when `signal` aborts), and continue from a state of the same run found there. The
   * result is byte-identical to an uninterrupted run's. `onResume` gets the step it resumed at
   * and the progress reports made before it.
   */
  resume?: {
    dir: string
    every: number
    onResume?: (step: number, reports: { step: number; total: number; loss: number }[]) => void
  }
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

/**
 * The adapter a lora/moelora method trains. While it exists the base stays frozen except the
 * projector (layer 0, trained in full like CoIN's mm_projector) and the adapter skips the output
 * layer (CoIN's find_all_linear_names drops lm_head): adapters sit on layers 1..H−1.
 */
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
  schedule?: Schedule
  weightDecay?: number
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
