/**
 * Checkpoint directories: `weights.bin` (safetensors layout, see safetensors.ts) and `config.json`.
 *
 * weights.bin holds the base tensors under their own names (`embedding`, `layers.{i}.weight`,
 * `layers.{i}.bias`) and the adapter's under `adapter.` (`adapter.layers.{i}.lora_A` ...). Linear
 * weights are [in, out] (y = x·W + b), so a PyTorch reader transposes them.
 *
 * config.json: the model config, the layer dims, the adapter's method (null for none), the
 * training history, and a note on the layout. Both files are pure functions of the checkpoint,
 * so equal checkpoints give byte-identical directories.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { UserError } from '../../src/errors.ts'
import {
  adapterShapes,
  baseNames,
  canonicalMethod,
  layerDims,
  validateMethod,
  validateModelConfig,
} from './params.ts'
import { decodeSafetensors, encodeSafetensors } from './safetensors.ts'
import type { Adapter, Checkpoint, MethodConfig, ModelConfig, Tensor, TrainRecord } from './types.ts'

export const CHECKPOINT_FORMAT = 'coin-learner-checkpoint'
export const CHECKPOINT_VERSION = 1
const ADAPTER_PREFIX = 'adapter.'

interface ConfigFile {
  format: string
  version: number
  model: ModelConfig
  dims: number[]
  adapter: MethodConfig | null
  history: TrainRecord[]
  layout: string
}

const LAYOUT_NOTE =
  'weights.bin is safetensors (F32, little-endian). Linear layers compute y = x·W + b with W stored [in, out]. ' +
  'Adapter tensors are prefixed "adapter."; lora_A [in, r], lora_B [r, out], scaled by alpha/r; moelora expert e ' +
  'owns columns [e·r/E, (e+1)·r/E) of lora_A and those rows of lora_B, gated by softmax(x·router).'

export function encodeCheckpoint(ckpt: Checkpoint): { weights: Uint8Array; config: string } {
  const tensors: Record<string, Tensor> = { ...ckpt.base }
  for (const [name, t] of Object.entries(ckpt.adapter?.tensors ?? {})) tensors[ADAPTER_PREFIX + name] = t
  const m = ckpt.config
  const file: ConfigFile = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    model: { featureDim: m.featureDim, embedDim: m.embedDim, hidden: m.hidden, vocab: m.vocab, seed: m.seed },
    dims: layerDims(m),
    adapter: ckpt.adapter ? canonicalMethod(ckpt.adapter.method) : null,
    history: ckpt.history.map((h) => ({
      method: canonicalMethod(h.method),
      steps: h.steps,
      lr: h.lr,
      schedule: h.schedule ?? { kind: 'constant' },
      weightDecay: h.weightDecay ?? 0,
      batchSize: h.batchSize,
      seed: h.seed,
      threads: h.threads,
      examples: h.examples,
      finalLoss: h.finalLoss,
    })),
    layout: LAYOUT_NOTE,
  }
  return { weights: encodeSafetensors(tensors), config: `${JSON.stringify(file, null, 2)}\n` }
}

/** Writes `dir/weights.bin` and `dir/config.json` (each via a temp file and rename). */
export async function writeCheckpoint(dir: string, ckpt: Checkpoint): Promise<void> {
  const { weights, config } = encodeCheckpoint(ckpt)
  await mkdir(dir, { recursive: true })
  const put = async (name: string, data: Uint8Array | string) => {
    const tmp = join(dir, `.${name}.${process.pid}.tmp`)
    await writeFile(tmp, data)
    await rename(tmp, join(dir, name))
  }
  await put('weights.bin', weights)
  await put('config.json', config)
}

function expectShape(where: string, name: string, t: Tensor | undefined, shape: number[]): Tensor {
  if (!t || t.shape.join(',') !== shape.join(',')) {
    throw new UserError({
      message: `checkpoint tensor ${name} is ${t ? `[${t.shape}]` : 'missing'}, expected [${shape}]`,
      file: where,
      key: name,
      fix: 'the weights do not match config.json; rebuild the checkpoint',
    })
  }
  return t
}

export function decodeCheckpoint(weights: Uint8Array, configText: string, where = 'checkpoint'): Checkpoint {
  let file: ConfigFile
  let tensors: Record<string, Tensor>
  try {
    file = JSON.parse(configText) as ConfigFile
    tensors = decodeSafetensors(weights).tensors
  } catch (e) {
    throw new UserError({
      message: `unreadable checkpoint: ${(e as Error).message}`,
      file: where,
      fix: 'rebuild the checkpoint',
    })
  }
  if (file.format !== CHECKPOINT_FORMAT || file.version !== CHECKPOINT_VERSION) {
    throw new UserError({
      message: `not a ${CHECKPOINT_FORMAT} v${CHECKPOINT_VERSION} (format ${file.format}, version ${file.version})`,
      file: join(where, 'config.json'),
      key: 'format',
    })
  }
  const config = file.model
  validateModelConfig(config)
  const dims = layerDims(config)
  const base: Record<string, Tensor> = {}
  const wfile = join(where, 'weights.bin')
  base[baseNames.embedding] = expectShape(wfile, baseNames.embedding, tensors[baseNames.embedding], [
    config.featureDim,
    config.embedDim,
  ])
  for (let i = 0; i + 1 < dims.length; i++) {
    base[baseNames.weight(i)] = expectShape(wfile, baseNames.weight(i), tensors[baseNames.weight(i)], [
      dims[i]!,
      dims[i + 1]!,
    ])
    base[baseNames.bias(i)] = expectShape(wfile, baseNames.bias(i), tensors[baseNames.bias(i)], [
      dims[i + 1]!,
    ])
  }
  let adapter: Adapter | null = null
  if (file.adapter) {
    if (file.adapter.kind === 'full')
      throw new UserError({ message: 'adapter method cannot be full', file: where, key: 'adapter' })
    validateMethod(file.adapter)
    const own: Record<string, Tensor> = {}
    for (const [name, shape] of Object.entries(adapterShapes(config, file.adapter))) {
      own[name] = expectShape(wfile, ADAPTER_PREFIX + name, tensors[ADAPTER_PREFIX + name], shape)
    }
    adapter = { method: canonicalMethod(file.adapter), tensors: own }
  }
  const expected = Object.keys(base).length + Object.keys(adapter?.tensors ?? {}).length
  if (Object.keys(tensors).length !== expected) {
    throw new UserError({ message: 'weights.bin has tensors config.json does not describe', file: wfile })
  }
  return { config, base, adapter, history: file.history ?? [] }
}

export async function readCheckpoint(dir: string): Promise<Checkpoint> {
  const [weights, config] = await Promise.all([
    readFile(join(dir, 'weights.bin')),
    readFile(join(dir, 'config.json'), 'utf8'),
  ])
  return decodeCheckpoint(weights, config, dir)
}
