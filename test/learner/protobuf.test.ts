/** The zero-dependency ONNX writer: wire format details and a graph that onnxruntime runs. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { attr, GraphBuilder } from '../../rules/learner/onnx-graph.ts'
import { ProtoWriter } from '../../rules/learner/protobuf.ts'
import { decodeSafetensors, encodeSafetensors } from '../../rules/learner/safetensors.ts'
import { loadOrt } from '../../rules/learner/session.ts'

test('varints, negative int64 and fixed32 floats', () => {
  const w = new ProtoWriter()
  w.uint(1, 300)
  w.uint(3, -1)
  w.float(2, 1.5)
  w.string(4, 'hi')
  assert.equal(Array.from(w.finish()), [
    0x08,
    0xac,
    0x02,
    0x18,
    ...Array(9).fill(0xff),
    0x01,
    0x15,
    0x00,
    0x00,
    0xc0,
    0x3f,
    0x22,
    0x02,
    0x68,
    0x69,
  ])
})

test('a built graph with float, int, negative-int and tensor attributes runs in onnxruntime', async () => {
  const g = new GraphBuilder('t')
  const x = g.input('x', 'float', ['N', 3])
  const idx = g.input('i', 'int32', ['K'])
  const soft = g.op('Softmax', [x], { axis: attr.int(-1) })
  const scaled = g.op('LeakyRelu', [g.sub(x, g.scalar(1))], { alpha: attr.float(0.25) })
  const picked = g.op('Gather', [x, idx], { axis: attr.int(1) })
  const sum = g.reduceSum(x, [1], false)
  g.output('soft', soft)
  g.output('scaled', scaled)
  g.output('picked', picked)
  g.output('sum', sum)
  const ort = await loadOrt()
  const session = await ort.InferenceSession.create(g.toModel())
  const out = await session.run({
    x: new ort.Tensor('float32', Float32Array.of(0, 1, 2, 3, 3, 3), [2, 3]),
    i: new ort.Tensor('int32', Int32Array.of(2, 0), [2]),
  })
  await session.release()
  const soft0 = Array.from(out.soft!.data as Float32Array).slice(0, 3)
  const e = [1, Math.E, Math.E ** 2]
  const z = e[0]! + e[1]! + e[2]!
  for (const [j, v] of soft0.entries()) assert.ok(Math.abs(v - e[j]! / z) < 1e-6)
  assert.equal(Array.from(out.scaled!.data as Float32Array), [-0.25, 0, 1, 2, 2, 2])
  assert.equal(Array.from(out.picked!.data as Float32Array), [2, 0, 3, 3])
  assert.equal(Array.from(out.sum!.data as Float32Array), [3, 9])
})

test('safetensors encode/decode round trip with metadata', () => {
  const t = {
    a: { shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) },
    b: { shape: [3], data: Float32Array.of(-1, 0.5, 7) },
  }
  const bytes = encodeSafetensors(t, { note: 'x' })
  const back = decodeSafetensors(bytes)
  assert.equal(back.metadata, { note: 'x' })
  assert.equal(back.tensors.a!.shape, [2, 2])
  assert.equal(Array.from(back.tensors.b!.data), [-1, 0.5, 7])
  assert.throws(() => decodeSafetensors(bytes.subarray(0, 12)))
})

test.run()
