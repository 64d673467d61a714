/**
 * The safetensors container (https://github.com/huggingface/safetensors): an 8-byte little-endian
 * header length N, N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__":
 * {string: string}}, then the raw little-endian tensor bytes. Offsets are relative to the end of the
 * header. Tensors are written in sorted name order and the header is padded with spaces to a
 * multiple of 8, so equal tensors always give identical bytes (and float32 data stays aligned).
 * Only F32 is written or read: that is all the learner stores.
 */
import { endianness } from 'node:os'

export interface NamedTensor {
  shape: number[]
  data: Float32Array
}

export function encodeSafetensors(
  tensors: Record<string, NamedTensor>,
  metadata: Record<string, string> = {},
): Uint8Array {
  if (endianness() !== 'LE')
    throw new Error('internal error: safetensors writer assumes a little-endian host')
  const names = Object.keys(tensors).sort()
  const header: Record<string, unknown> = {}
  if (Object.keys(metadata).length) header.__metadata__ = metadata
  let offset = 0
  for (const name of names) {
    const t = tensors[name]!
    const bytes = t.data.length * 4
    if (t.shape.reduce((a, b) => a * b, 1) !== t.data.length) {
      throw new Error(`internal error: tensor ${name} has shape [${t.shape}] but ${t.data.length} values`)
    }
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + bytes] }
    offset += bytes
  }
  let json = JSON.stringify(header)
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8)
  const headerBytes = new TextEncoder().encode(json)
  const out = new Uint8Array(8 + headerBytes.length + offset)
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true)
  out.set(headerBytes, 8)
  let at = 8 + headerBytes.length
  for (const name of names) {
    const t = tensors[name]!
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at)
    at += t.data.byteLength
  }
  return out
}

export function decodeSafetensors(bytes: Uint8Array): {
  tensors: Record<string, NamedTensor>
  metadata: Record<string, string>
} {
  if (bytes.length < 8) throw new Error('not a safetensors file: shorter than its 8-byte header length')
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const n = Number(view.getBigUint64(0, true))
  if (8 + n > bytes.length) throw new Error(`not a safetensors file: header length ${n} exceeds the file`)
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, unknown>
  const dataStart = 8 + n
  const tensors: Record<string, NamedTensor> = {}
  let metadata: Record<string, string> = {}
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = entry as Record<string, string>
      continue
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown }
    if (e.dtype !== 'F32')
      throw new Error(`tensor ${name}: dtype ${String(e.dtype)} is not supported (F32 only)`)
    const shape = e.shape as number[]
    const [begin, end] = e.data_offsets as [number, number]
    const count = shape.reduce((a, b) => a * b, 1)
    if (!Array.isArray(shape) || end - begin !== count * 4 || dataStart + end > bytes.length) {
      throw new Error(`tensor ${name}: shape [${shape}] does not match data_offsets [${begin}, ${end}]`)
    }
    // Copy: the file buffer's offset need not be 4-byte aligned.
    const data = new Float32Array(count)
    new Uint8Array(data.buffer).set(bytes.subarray(dataStart + begin, dataStart + end))
    tensors[name] = { shape: [...shape], data }
  }
  return { tensors, metadata }
}
