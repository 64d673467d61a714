/**
 * Forward and hand-derived backward passes of the learner's network, emitted as ONNX nodes.
 *
 *   bag = Σ_l w[n,l] · E[ids[local[n,l]]]          embedding bag (Gather + weighted sum)
 *   h_0 = bag;  h_{i+1} = relu(lin_i(h_i));  logits = lin_H(h_H)
 *   lin_i(x) = x·W_i + b_i  [+ s·(x̃·A_i)·B_i]                         (lora, s = alpha/r)
 *            or x·W_i + b_i + s·((x̃·A_i) ⊙ (softmax(x·R_i)·X))·B_i    (moelora)
 *   x̃ = x ⊙ mask: LoRA dropout on the adapter's input only (peft's lora_dropout; CoIN's MoELoRA
 *   routes the undropped x), mask [N, in] ∈ {0, 1/(1−p)} fed per step; no mask = no dropout.
 *   Layers without A/B (the projector, the output layer) are plain linear layers.
 *
 * where X [E, r] is the 0/1 matrix that repeats expert e's gate over its r/E rank columns, so the
 * moelora term equals Σ_e softmax(x·R)_e · s·x·A_e·B_e, CoIN's dense-softmax MoELoRA.
 *
 * Notation in the gradient comments: for y = f(x), dx means ∂loss/∂x. All matrices are 2-D
 * [batch, features] except the embedding gather ([N, L, D]).
 */
import type { GraphBuilder, Value } from './onnx-graph.ts'
import { attr } from './onnx-graph.ts'
import type { AdapterMethod } from './params.ts'
import { scaling } from './params.ts'
import { DataType } from './protobuf.ts'

/** Parameters of one linear layer as graph values. */
export interface LinearValues {
  W: Value
  b: Value
  A?: Value
  B?: Value
  R?: Value
  /** LoRA dropout mask [N, in] (train graphs of adapted layers only). */
  mask?: Value
}

/** What the forward pass of one linear layer keeps for its backward pass. */
interface LinearCache {
  x: Value
  /** x ⊙ mask, the adapter's input (x without dropout). */
  xd?: Value
  /** x̃·A (adapters only). */
  z?: Value
  /** Router softmax g [N, E] and its expansion G = g·X [N, r] (moelora only). */
  g?: Value
  G?: Value
  /** z ⊙ G for moelora, z for lora: the input of the B product. */
  u?: Value
}

export interface LinearGrads {
  W?: Value
  b?: Value
  A?: Value
  B?: Value
  R?: Value
  /** Gradient w.r.t. the layer input (when asked for). */
  x?: Value
}

/** Which gradients a layer's backward pass must produce. */
export interface GradNeeds {
  base: boolean
  adapter: boolean
  input: boolean
}

export class Network {
  readonly g: GraphBuilder
  readonly method: AdapterMethod | null
  readonly #s: number
  #X?: Value
  #XT?: Value

  constructor(g: GraphBuilder, method: AdapterMethod | null) {
    this.g = g
    this.method = method
    this.#s = method ? scaling(method) : 0
  }

  /**
   * X [E, r] and Xᵀ: X[e, j] = 1 iff rank column j belongs to expert e. Created on first use, so a
   * forward-only graph carries no unused Xᵀ initializer.
   */
  #expand(transposed: boolean): Value {
    if (this.method?.kind !== 'moelora') throw new Error('internal error: expert expansion without moelora')
    const E = this.method.experts
    const r = this.method.r
    const k = r / E
    const X = new Array<number>(E * r).fill(0)
    const XT = new Array<number>(r * E).fill(0)
    for (let e = 0; e < E; e++) {
      for (let j = e * k; j < (e + 1) * k; j++) {
        X[e * r + j] = 1
        XT[j * E + e] = 1
      }
    }
    if (transposed) this.#XT ??= this.g.constFloat(XT, [r, E])
    else this.#X ??= this.g.constFloat(X, [E, r])
    return transposed ? this.#XT! : this.#X!
  }

  /**
   * Embedding bag over the batch's distinct rows: rows = E[ids] [K, D] (the caller gathers it, so
   * the same rows feed Adam), emb = rows[local] [N, L, D], bag[n] = Σ_l wts[n,l]·emb[n,l], computed
   * as the batched product wts[n] [1, L] · emb[n] [L, D] (one op, no [N, L, D] temporary).
   * Padding slots carry weight 0, so they add nothing forward or backward.
   */
  embeddingBag(rows: Value, local: Value, wts: Value): Value {
    const g = this.g
    const emb = g.op('Gather', [rows, local], { axis: attr.int(0) }, 'emb')
    const bag3 = g.matmul(g.unsqueeze(wts, [1]), emb, 'bag3')
    return this.#squeeze1(bag3, 'bag')
  }

  #squeeze1(x: Value, name: string): Value {
    return this.g.op('Squeeze', [x, this.g.constInt64([1], [1])], {}, name)
  }

  /**
   * Backward of the bag: d emb[n,l] = wts[n,l]·d bag[n] (the outer product wts[n]ᵀ·d bag[n]);
   * Gather's gradient scatters those rows back onto the rows they were gathered from, summing
   * duplicates:  d rows[k] = Σ_{n,l: local[n,l]=k} wts[n,l]·d bag[n]   (ScatterND, reduction='add')
   */
  embeddingBagBackward(rows: Value, local: Value, wts: Value, dBag: Value): Value {
    const g = this.g
    const dEmb = g.matmul(g.unsqueeze(wts, [2]), g.unsqueeze(dBag, [1]), 'd.emb')
    const zeros = g.op('ConstantOfShape', [g.op('Shape', [rows])], { value: zeroTensorAttr() }, 'd.rows.zero')
    const index = g.unsqueeze(g.op('Cast', [local], { to: attr.int(DataType.INT64) }), [2], 'd.rows.index')
    return g.op('ScatterND', [zeros, index, dEmb], { reduction: attr.str('add') }, 'd.rows')
  }

  /** lin(x) for the configured method; returns the pre-activation and the cache for backward. */
  linear(x: Value, p: LinearValues, name: string): { y: Value; cache: LinearCache } {
    const g = this.g
    const base = g.add(g.matmul(x, p.W, `${name}.xW`), p.b, `${name}.pre`)
    if (!this.method || !p.A) return { y: base, cache: { x } }
    const s = g.scalar(this.#s)
    const xd = p.mask ? g.mul(x, p.mask, `${name}.xd`) : x
    const z = g.matmul(xd, p.A, `${name}.z`)
    if (this.method.kind === 'lora') {
      const y = g.add(base, g.mul(g.matmul(z, need(p.B, 'B')), s), `${name}.lora`)
      return { y, cache: { x, xd, z, u: z } }
    }
    const gate = g.op('Softmax', [g.matmul(x, need(p.R, 'R'))], { axis: attr.int(-1) }, `${name}.gate`)
    const G = g.matmul(gate, this.#expand(false), `${name}.G`)
    const u = g.mul(z, G, `${name}.u`)
    const y = g.add(base, g.mul(g.matmul(u, need(p.B, 'B')), s), `${name}.moe`)
    return { y, cache: { x, xd, z, g: gate, G, u } }
  }

  /**
   * Backward of lin given dy = ∂loss/∂y [N, out].
   *   base:    dW = xᵀ·dy,  db = Σ_n dy,  dx = dy·Wᵀ
   *   lora:    y += s·u·B with u = z = x̃·A, x̃ = x ⊙ mask:
   *            dB = s·uᵀ·dy,  du = s·dy·Bᵀ,  dA = x̃ᵀ·du,  dx += (du·Aᵀ) ⊙ mask
   *   moelora: u = z ⊙ G, G = g·X, g = softmax(l), l = x·R (the router sees x, not x̃):
   *            dB = s·uᵀ·dy,  du = s·dy·Bᵀ,  dz = du ⊙ G,  dA = x̃ᵀ·dz,
   *            dG = du ⊙ z,  dg = dG·Xᵀ,
   *            dl = g ⊙ (dg − Σ_e dg_e·g_e)   (softmax Jacobian diag(g) − g·gᵀ applied to dg),
   *            dR = xᵀ·dl,  dx += (dz·Aᵀ) ⊙ mask + dl·Rᵀ
   */
  linearBackward(
    dy: Value,
    p: LinearValues,
    cache: LinearCache,
    needs: GradNeeds,
    name: string,
  ): LinearGrads {
    const g = this.g
    const out: LinearGrads = {}
    if (needs.base) {
      out.W = g.matmulTA(cache.x, dy, `${name}.dW`)
      out.b = g.reduceSum(dy, [0], false, `${name}.db`)
    }
    let dx = needs.input ? g.matmulTB(dy, p.W, `${name}.dx.base`) : undefined
    if (!this.method || !p.A) {
      if (dx) out.x = dx
      return out
    }
    const s = g.scalar(this.#s)
    const u = cache.u!
    const xd = cache.xd ?? cache.x
    const masked = (v: Value, n: string) => (p.mask ? g.mul(v, p.mask, n) : v)
    const du = g.mul(g.matmulTB(dy, need(p.B, 'B')), s, `${name}.du`)
    if (needs.adapter) out.B = g.mul(g.matmulTA(u, dy), s, `${name}.dB`)
    if (this.method.kind === 'lora') {
      if (needs.adapter) out.A = g.matmulTA(xd, du, `${name}.dA`)
      if (dx) dx = g.add(dx, masked(g.matmulTB(du, p.A, `${name}.dxd`), `${name}.dxm`), `${name}.dx`)
    } else {
      const dz = g.mul(du, cache.G!, `${name}.dz`)
      const dg = g.matmul(g.mul(du, cache.z!), this.#expand(true), `${name}.dg`)
      const gate = cache.g!
      const dot = g.reduceSum(g.mul(dg, gate), [1], true, `${name}.dg.dot`)
      const dl = g.mul(gate, g.sub(dg, dot), `${name}.dl`)
      if (needs.adapter) {
        out.A = g.matmulTA(xd, dz, `${name}.dA`)
        out.R = g.matmulTA(cache.x, dl, `${name}.dR`)
      }
      if (dx) {
        dx = g.add(dx, masked(g.matmulTB(dz, p.A, `${name}.dxd`), `${name}.dxm`), `${name}.dx.a`)
        dx = g.add(dx, g.matmulTB(dl, need(p.R, 'R')), `${name}.dx`)
      }
    }
    if (dx) out.x = dx
    return out
  }

  relu(x: Value, name: string): Value {
    return this.g.op('Relu', [x], {}, name)
  }

  /** d pre = d h ⊙ 1[pre > 0] (the subgradient 0 at the kink, like PyTorch). */
  reluBackward(pre: Value, dh: Value, name: string): Value {
    const g = this.g
    return g.op('Where', [g.op('Greater', [pre, g.scalar(0)]), dh, g.scalar(0)], {}, name)
  }

  /**
   * Mean cross-entropy against one-hot targets y [N, V]:
   *   loss = −(1/N)·Σ_n Σ_c y[n,c]·log softmax(logits)[n,c]
   *   d logits = (softmax(logits) − y)/N
   * (log-softmax keeps the loss finite when a probability underflows).
   */
  softmaxCrossEntropy(logits: Value, y: Value): { loss: Value; dLogits: Value } {
    const g = this.g
    const ls = g.op('LogSoftmax', [logits], { axis: attr.int(-1) }, 'logp')
    const n = g.op(
      'Cast',
      [g.op('Gather', [g.op('Shape', [logits]), g.constInt64([0], [])], { axis: attr.int(0) })],
      {
        to: attr.int(1),
      },
    )
    const loss = g.op('Neg', [g.div(g.reduceSum(g.mul(y, ls), [0, 1], false), n)], {}, 'loss')
    const dLogits = g.div(g.sub(g.op('Exp', [ls]), y), n, 'd.logits')
    return { loss, dLogits }
  }
}

function need(v: Value | undefined, what: string): Value {
  if (v === undefined) throw new Error(`internal error: adapter layer without ${what}`)
  return v
}

/** ConstantOfShape's `value` attribute: a one-element float tensor 0. */
function zeroTensorAttr() {
  return {
    kind: 'tensor' as const,
    value: { name: 'zero', dataType: DataType.FLOAT, dims: [1], raw: new Uint8Array(4) },
  }
}
