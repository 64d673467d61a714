/**
 * onnxruntime-node, loaded lazily (a no-op build must never load it), and a small cache of
 * sessions keyed by graph identity and thread count.
 *
 * Graphs take every weight as an input, so one session serves every step of a train() call and
 * every later call with the same architecture and method: the ~35 stages of an experiment build
 * each graph once. Session options fix everything that affects float results: `intraOpNumThreads`
 * (results are bit-identical for the same count; a different count may split reductions
 * differently), `interOpNumThreads: 1` and sequential execution. Idle pool threads do not spin
 * (`allow_spinning: 0`): steps are short and the JS side works between them, so spinning threads
 * only steal a 2-core machine's time (measured: ~2× slower steps at 2 threads under load).
 */
import type * as Ort from 'onnxruntime-node'

export type OrtModule = typeof Ort
export type Session = Ort.InferenceSession

let ortPromise: Promise<OrtModule> | undefined

export function loadOrt(): Promise<OrtModule> {
  ortPromise ??= import('onnxruntime-node')
  return ortPromise
}

export const DEFAULT_THREADS = 1
const MAX_CACHED = 12
const cache = new Map<string, Promise<Session>>()

/** A session for the graph identified by `key`, built by `build` on a miss. */
export async function getSession(key: string, threads: number, build: () => Uint8Array): Promise<Session> {
  if (!Number.isInteger(threads) || threads < 1)
    throw new RangeError(`threads must be a positive integer, got ${threads}`)
  const full = `${key}|threads=${threads}`
  const hit = cache.get(full)
  if (hit) {
    cache.delete(full)
    cache.set(full, hit) // most recently used last
    return hit
  }
  const created = (async () => {
    const ort = await loadOrt()
    return ort.InferenceSession.create(build(), {
      executionProviders: ['cpu'],
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    })
  })()
  created.catch(() => cache.delete(full))
  cache.set(full, created)
  while (cache.size > MAX_CACHED) {
    const [oldest, session] = cache.entries().next().value as [string, Promise<Session>]
    cache.delete(oldest)
    session.then((s) => s.release()).catch(() => {})
  }
  return created
}

/** Releases every cached session (tests and benchmarks call it to measure cold starts). */
export async function releaseSessions(): Promise<void> {
  const all = [...cache.values()]
  cache.clear()
  await Promise.all(all.map((p) => p.then((s) => s.release()).catch(() => {})))
}
