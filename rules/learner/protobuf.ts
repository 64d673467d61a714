/**
 * A zero-dependency protobuf *writer* for the handful of ONNX messages the learner emits.
 *
 * Why hand-written: onnxruntime-node has no training API, so every train step is an ONNX graph we
 * build ourselves; pulling in protobufjs (22 MB, old, with a postinstall) for ~10 message types is
 * not worth it. Field numbers are those of onnx.proto (see /work/shared/ENVIRONMENT.md §3):
 *   Model{ir_version 1, producer_name 2, graph 7, opset_import 8}   OpsetId{domain 1, version 2}
 *   Graph{node 1, name 2, initializer 5, input 11, output 12}
 *   Node{input 1, output 2, name 3, op_type 4, attribute 5, domain 7}
 *   Attribute{name 1, f 2, i 3, s 4, t 5, floats 7, ints 8, type 20}
 *   Tensor{dims 1, data_type 2, name 8, raw_data 9}
 *   ValueInfo{name 1, type 2}  Type{tensor_type 1}  Type.Tensor{elem_type 1, shape 2}
 *   Shape{dim 1}  Dimension{dim_value 1, dim_param 2}
 * Repeated scalars are written unpacked (one tag per element): onnx.proto is proto2, where that is
 * the canonical encoding, and every parser also accepts it.
 */

const utf8 = new TextEncoder()
const WIRE_VARINT = 0
const WIRE_LEN = 2
const WIRE_FIXED32 = 5

/** Growable byte buffer with the three protobuf wire primitives we need. */
export class ProtoWriter {
  #buf = new Uint8Array(256)
  #len = 0

  #ensure(extra: number): void {
    if (this.#len + extra <= this.#buf.length) return
    let cap = this.#buf.length * 2
    while (cap < this.#len + extra) cap *= 2
    const next = new Uint8Array(cap)
    next.set(this.#buf.subarray(0, this.#len))
    this.#buf = next
  }

  /** Unsigned LEB128. Negative int64 values are written as their 64-bit two's complement (10 bytes). */
  varint(value: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(value))
    this.#ensure(10)
    while (v >= 0x80n) {
      this.#buf[this.#len++] = Number(v & 0x7fn) | 0x80
      v >>= 7n
    }
    this.#buf[this.#len++] = Number(v)
  }

  #tag(field: number, wire: number): void {
    this.varint((field << 3) | wire)
  }

  uint(field: number, value: number | bigint): void {
    this.#tag(field, WIRE_VARINT)
    this.varint(value)
  }

  float(field: number, value: number): void {
    this.#tag(field, WIRE_FIXED32)
    this.#ensure(4)
    new DataView(this.#buf.buffer, this.#buf.byteOffset + this.#len, 4).setFloat32(0, value, true)
    this.#len += 4
  }

  bytes(field: number, value: Uint8Array): void {
    this.#tag(field, WIRE_LEN)
    this.varint(value.length)
    this.#ensure(value.length)
    this.#buf.set(value, this.#len)
    this.#len += value.length
  }

  string(field: number, value: string): void {
    this.bytes(field, utf8.encode(value))
  }

  /** An embedded message: written to its own buffer first, because its length prefix comes first. */
  message(field: number, write: (w: ProtoWriter) => void): void {
    const inner = new ProtoWriter()
    write(inner)
    this.bytes(field, inner.finish())
  }

  finish(): Uint8Array {
    return this.#buf.slice(0, this.#len)
  }
}

/** ONNX TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, INT32: 6, INT64: 7, BOOL: 9 } as const
export type DataTypeCode = (typeof DataType)[keyof typeof DataType]

/** AttributeProto.AttributeType values. */
const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const

export interface TensorProto {
  name: string
  dataType: DataTypeCode
  dims: readonly number[]
  /** Little-endian element bytes (raw_data). */
  raw: Uint8Array
}

export type AttrValue =
  | { kind: 'float'; value: number }
  | { kind: 'int'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'floats'; value: readonly number[] }
  | { kind: 'ints'; value: readonly number[] }
  | { kind: 'tensor'; value: TensorProto }

export interface NodeProto {
  opType: string
  inputs: readonly string[]
  outputs: readonly string[]
  name: string
  domain?: string
  attributes: readonly { name: string; value: AttrValue }[]
}

export interface ValueInfoProto {
  name: string
  elemType: DataTypeCode
  /** Omitted: rank and dims unknown. A string is a symbolic dim (dim_param). */
  dims?: readonly (number | string)[]
}

export interface GraphProto {
  name: string
  nodes: readonly NodeProto[]
  initializers: readonly TensorProto[]
  inputs: readonly ValueInfoProto[]
  outputs: readonly ValueInfoProto[]
}

export interface ModelProto {
  irVersion: number
  opset: number
  producer: string
  graph: GraphProto
}

function writeTensor(w: ProtoWriter, t: TensorProto): void {
  for (const d of t.dims) w.uint(1, d)
  w.uint(2, t.dataType)
  w.string(8, t.name)
  w.bytes(9, t.raw)
}

function writeAttribute(w: ProtoWriter, name: string, a: AttrValue): void {
  w.string(1, name)
  switch (a.kind) {
    case 'float':
      w.float(2, a.value)
      w.uint(20, AttrType.FLOAT)
      break
    case 'int':
      w.uint(3, a.value)
      w.uint(20, AttrType.INT)
      break
    case 'string':
      w.string(4, a.value)
      w.uint(20, AttrType.STRING)
      break
    case 'tensor':
      w.message(5, (m) => writeTensor(m, a.value))
      w.uint(20, AttrType.TENSOR)
      break
    case 'floats':
      for (const f of a.value) w.float(7, f)
      w.uint(20, AttrType.FLOATS)
      break
    case 'ints':
      for (const i of a.value) w.uint(8, i)
      w.uint(20, AttrType.INTS)
      break
  }
}

function writeNode(w: ProtoWriter, n: NodeProto): void {
  for (const i of n.inputs) w.string(1, i)
  for (const o of n.outputs) w.string(2, o)
  w.string(3, n.name)
  w.string(4, n.opType)
  for (const a of n.attributes) w.message(5, (m) => writeAttribute(m, a.name, a.value))
  if (n.domain) w.string(7, n.domain)
}

function writeValueInfo(w: ProtoWriter, v: ValueInfoProto): void {
  w.string(1, v.name)
  w.message(2, (type) =>
    type.message(1, (tensorType) => {
      tensorType.uint(1, v.elemType)
      const dims = v.dims
      if (dims === undefined) return
      tensorType.message(2, (shape) => {
        for (const d of dims) {
          shape.message(1, (dim) => {
            if (typeof d === 'number') dim.uint(1, d)
            else dim.string(2, d)
          })
        }
      })
    }),
  )
}

function writeGraph(w: ProtoWriter, g: GraphProto): void {
  for (const n of g.nodes) w.message(1, (m) => writeNode(m, n))
  w.string(2, g.name)
  for (const t of g.initializers) w.message(5, (m) => writeTensor(m, t))
  for (const i of g.inputs) w.message(11, (m) => writeValueInfo(m, i))
  for (const o of g.outputs) w.message(12, (m) => writeValueInfo(m, o))
}

/** Serialises a model to the bytes `InferenceSession.create` accepts. */
export function encodeModel(model: ModelProto): Uint8Array {
  const w = new ProtoWriter()
  w.uint(1, model.irVersion)
  w.string(2, model.producer)
  w.message(7, (m) => writeGraph(m, model.graph))
  w.message(8, (m) => {
    m.string(1, '')
    m.uint(2, model.opset)
  })
  return w.finish()
}
