import { mulberry32 } from '../../datasets/coin-mini/prng.ts'

/**
 * Multinomial logistic regression over string features, trained with plain SGD: a quick,
 * deterministic yardstick for how much of a task a bag-of-features model can learn from its
 * training split. Used for the learnability and the blind (question-only) baselines.
 */
export interface ProbeExample<T> {
  input: T
  answer: string
}

export interface ProbeOptions {
  epochs?: number
  lr?: number
  seed?: number
}

export function probeAccuracy<T>(
  train: readonly ProbeExample<T>[],
  test: readonly ProbeExample<T>[],
  features: (input: T) => string[],
  opts: ProbeOptions = {},
): number {
  const epochs = opts.epochs ?? 20
  const lr = opts.lr ?? 0.05
  const rng = mulberry32(opts.seed ?? 1)
  const vocab = [...new Set(train.map((e) => e.answer))]
  const V = vocab.length
  const weights = new Map<string, Float64Array>()
  const row = (f: string) => {
    const known = weights.get(f)
    if (known) return known
    const w = new Float64Array(V)
    weights.set(f, w)
    return w
  }
  const logits = (fs: readonly string[]) => {
    const z = new Float64Array(V)
    for (const f of fs) {
      const w = weights.get(f)
      if (w) for (let o = 0; o < V; o++) z[o] = (z[o] as number) + (w[o] as number)
    }
    return z
  }
  const X = train.map((e) => features(e.input))
  const Y = train.map((e) => vocab.indexOf(e.answer))
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (const n of rng.shuffle([...X.keys()])) {
      const fs = X[n] as string[]
      for (const f of fs) row(f)
      const z = logits(fs)
      const max = Math.max(...z)
      const exp = z.map((v) => Math.exp(v - max))
      const sum = exp.reduce((a, b) => a + b, 0)
      for (const f of fs) {
        const w = row(f)
        for (let o = 0; o < V; o++)
          w[o] = (w[o] as number) - lr * ((exp[o] as number) / sum - (o === Y[n] ? 1 : 0))
      }
    }
  }
  let right = 0
  for (const e of test) {
    const z = logits(features(e.input))
    if (vocab[z.indexOf(Math.max(...z))] === e.answer) right++
  }
  return right / test.length
}
