/**
 * A small builder for ONNX graphs: named values, nodes, constants, inputs and outputs, serialised
 * with the zero-dependency writer in protobuf.ts.
 *
 * Values are plain strings (their ONNX names). Helpers cover exactly the ops the learner uses, so
 * graph construction code reads like the maths it implements. Everything is 2-D or 3-D float32
 * except index tensors (int32 for Gather, cast to int64 where ScatterND requires it).
 */
import {
  type AttrValue,
  DataType,
  type DataTypeCode,
  encodeModel,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from './protobuf.ts'

/** The name of a value in the graph. */
export type Value = string

/** Opset 17 (IR 8): ScatterND's `reduction` needs ≥16; ReduceSum takes axes as an input (≥13). */
export const OPSET = 17
export const IR_VERSION = 8

export const attr = {
  int: (value: number): AttrValue => ({ kind: 'int', value }),
  float: (value: number): AttrValue => ({ kind: 'float', value }),
  ints: (value: readonly number[]): AttrValue => ({ kind: 'ints', value }),
  str: (value: string): AttrValue => ({ kind: 'string', value }),
}

export type ElemType = 'float' | 'int64' | 'int32'
const elemCode = (t: ElemType): DataTypeCode =>
  t === 'float' ? DataType.FLOAT : t === 'int64' ? DataType.INT64 : DataType.INT32

export class GraphBuilder {
  readonly name: string
  #nodes: {
    opType: string
    inputs: Value[]
    outputs: Value[]
    name: string
    attributes: NodeProto['attributes']
  }[] = []
  #inits: TensorProto[] = []
  #inputs: ValueInfoProto[] = []
  #outputs: ValueInfoProto[] = []
  #used = new Set<string>()
  #consts = new Map<string, Value>()
  #renamed = new Map<Value, Value>()
  /** Values some node produces (graph inputs and initializers are not). */
  #produced = new Set<Value>()
  #counter = 0

  constructor(name: string) {
    this.name = name
  }

  /** A fresh unique name built from `hint`. */
  fresh(hint = 't'): Value {
    let name = hint
    while (this.#used.has(name)) name = `${hint}_${++this.#counter}`
    this.#used.add(name)
    return name
  }

  input(name: string, type: ElemType, dims: readonly (number | string)[]): Value {
    if (this.#used.has(name)) throw new Error(`internal error: duplicate graph value ${name}`)
    this.#used.add(name)
    this.#inputs.push({ name, elemType: elemCode(type), dims })
    return name
  }

  /**
   * Marks `value` as a graph output called `name`. A node's output is renamed in place (an Identity
   * would copy the tensor, which for the embedding rows costs as much as a real op); graph inputs
   * and values that are already outputs go through an Identity.
   */
  output(name: string, produced: Value, type: ElemType = 'float'): void {
    const value = this.resolve(produced)
    if (value !== name) {
      if (this.#used.has(name)) throw new Error(`internal error: duplicate graph value ${name}`)
      this.#used.add(name)
      if (this.#produced.has(value) && !this.#outputs.some((o) => o.name === value)) {
        this.#renamed.set(value, name) // applied to every node when serialising
      } else {
        this.#nodes.push({
          opType: 'Identity',
          inputs: [value],
          outputs: [name],
          name: `n${this.#nodes.length}`,
          attributes: [],
        })
      }
    }
    this.#outputs.push({ name, elemType: elemCode(type) })
  }

  /** The current name of `value` (an output() may have renamed it). */
  resolve = (value: Value): Value => this.#renamed.get(value) ?? value

  /** A node with one output. */
  op(opType: string, inputs: readonly Value[], attrs: Record<string, AttrValue> = {}, hint?: string): Value {
    return this.opN(opType, inputs, 1, attrs, hint)[0]!
  }

  /** A node with `n` outputs. */
  opN(
    opType: string,
    inputs: readonly Value[],
    n: number,
    attrs: Record<string, AttrValue> = {},
    hint?: string,
  ): Value[] {
    const outputs = Array.from({ length: n }, (_, i) =>
      this.fresh(`${hint ?? opType.toLowerCase()}${n > 1 ? `.${i}` : ''}`),
    )
    const attributes = Object.entries(attrs).map(([name, value]) => ({ name, value }))
    for (const o of outputs) this.#produced.add(o)
    this.#nodes.push({ opType, inputs: [...inputs], outputs, name: `n${this.#nodes.length}`, attributes })
    return outputs
  }

  /** A float32 constant (an initializer); identical constants are shared. */
  constFloat(values: readonly number[] | Float32Array, dims: readonly number[]): Value {
    const data = Float32Array.from(values)
    return this.#constant(
      DataType.FLOAT,
      dims,
      new Uint8Array(data.buffer),
      `f${dims.join('x')}:${Array.from(data).join(',')}`,
    )
  }

  constInt64(values: readonly number[], dims: readonly number[]): Value {
    const data = BigInt64Array.from(values.map((v) => BigInt(v)))
    return this.#constant(
      DataType.INT64,
      dims,
      new Uint8Array(data.buffer),
      `i${dims.join('x')}:${values.join(',')}`,
    )
  }

  /** A float scalar (rank 0) constant. */
  scalar(v: number): Value {
    return this.constFloat([v], [])
  }

  #constant(dataType: DataTypeCode, dims: readonly number[], raw: Uint8Array, key: string): Value {
    const hit = this.#consts.get(key)
    if (hit) return hit
    const name = this.fresh('const')
    this.#inits.push({ name, dataType, dims, raw })
    this.#consts.set(key, name)
    return name
  }

  // ---- op helpers (the subset the learner needs) -------------------------------------------
  add = (a: Value, b: Value, hint?: string): Value => this.op('Add', [a, b], {}, hint)
  sub = (a: Value, b: Value, hint?: string): Value => this.op('Sub', [a, b], {}, hint)
  mul = (a: Value, b: Value, hint?: string): Value => this.op('Mul', [a, b], {}, hint)
  div = (a: Value, b: Value, hint?: string): Value => this.op('Div', [a, b], {}, hint)
  sqrt = (a: Value, hint?: string): Value => this.op('Sqrt', [a], {}, hint)
  matmul = (a: Value, b: Value, hint?: string): Value => this.op('MatMul', [a, b], {}, hint)
  /** aᵀ·b for 2-D a, b (the weight-gradient product). */
  matmulTA = (a: Value, b: Value, hint?: string): Value =>
    this.op('Gemm', [a, b], { transA: attr.int(1) }, hint)
  /** a·bᵀ for 2-D a, b (the input-gradient product). */
  matmulTB = (a: Value, b: Value, hint?: string): Value =>
    this.op('Gemm', [a, b], { transB: attr.int(1) }, hint)
  reduceSum = (a: Value, axes: readonly number[], keepdims: boolean, hint?: string): Value =>
    this.op(
      'ReduceSum',
      [a, this.constInt64(axes, [axes.length])],
      { keepdims: attr.int(keepdims ? 1 : 0) },
      hint,
    )
  unsqueeze = (a: Value, axes: readonly number[], hint?: string): Value =>
    this.op('Unsqueeze', [a, this.constInt64(axes, [axes.length])], {}, hint)
  reshape = (a: Value, shape: readonly number[], hint?: string): Value =>
    this.op('Reshape', [a, this.constInt64(shape, [shape.length])], {}, hint)

  /** Serialised ModelProto bytes. */
  toModel(): Uint8Array {
    return encodeModel({
      irVersion: IR_VERSION,
      opset: OPSET,
      producer: 'coin-learner',
      graph: {
        name: this.name,
        nodes: this.#nodes.map((n) => ({
          ...n,
          inputs: n.inputs.map(this.resolve),
          outputs: n.outputs.map(this.resolve),
        })),
        initializers: this.#inits,
        inputs: this.#inputs,
        outputs: this.#outputs,
      },
    })
  }
}
