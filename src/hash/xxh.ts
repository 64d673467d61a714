/**
 * Content hashing: XXH3-128 from hash-wasm (pure WebAssembly, installs from the registry alone,
 * streams at ~4.6 GB/s on this machine). Digests are 32 lowercase hex characters.
 */
import { readFileSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { createRequire } from 'node:module'
import type { IHasher } from 'hash-wasm'

// hash-wasm's single-algorithm build (20 KB): its index bundles every algorithm (280 KB), and
// parsing that was ~100 ms of every coin command's start-up. Required on first use: a no-op
// answered by the up-to-date stamp hashes nothing, and loading it was ~6 ms of that no-op.
let create: typeof import('hash-wasm').createXXHash128 | undefined
function createXXHash128(): Promise<IHasher> {
  create ??= (
    createRequire(import.meta.url)('hash-wasm/dist/xxhash128.umd.min.js') as typeof import('hash-wasm')
  ).createXXHash128
  return create()
}

export type Digest = string

const CHUNK = 4 << 20
// Files up to this size (as the caller's stat says) are read in one synchronous call: for the
// small outputs most targets write, the thread-pool round trips of open/read/close cost more
// than the read itself.
const SMALL = 1 << 20

// One hasher (and its read buffer) per concurrent file hash: a fresh 4 MiB buffer per file was
// an mmap/munmap pair and external-memory pressure on the GC for every output of every target.
interface Reader {
  h: IHasher
  buf: Buffer
}
const idle: Reader[] = []

async function acquire(): Promise<Reader> {
  return idle.pop() ?? { h: await createXXHash128(), buf: Buffer.allocUnsafe(CHUNK) }
}

function release(r: Reader): void {
  idle.push(r)
}

// In-memory data is hashed synchronously on one shared instance: awaiting a pooled hasher for
// every key made a no-op of 10k targets create hundreds of WebAssembly instances (~110 ms). It is
// made on first use: compiling the WebAssembly at import was ~15 ms of every no-op, which hashes
// nothing.
let shared: IHasher | undefined
let sharedReady: Promise<void> | undefined

export async function hashBytes(data: Uint8Array | string): Promise<Digest> {
  if (!shared) {
    sharedReady ??= createXXHash128().then((h) => {
      shared = h
    })
    await sharedReady
  }
  const h = shared!
  h.init()
  h.update(data)
  return h.digest('hex')
}

/**
 * A file's digest and the bytes read. `knownSize` is the size from a stat the caller already has:
 * a small file is read whole, a large one streamed in 4 MiB chunks.
 */
export async function hashFile(path: string, knownSize?: number): Promise<{ digest: Digest; size: number }> {
  if (knownSize !== undefined && knownSize <= SMALL) {
    const data = readFileSync(path)
    return { digest: await hashBytes(data), size: data.length }
  }
  const r = await acquire()
  const fh = await open(path, 'r')
  try {
    const { h, buf } = r
    h.init()
    let size = 0
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, null)
      if (bytesRead === 0) break
      h.update(bytesRead === CHUNK ? buf : buf.subarray(0, bytesRead))
      size += bytesRead
    }
    return { digest: h.digest('hex'), size }
  } finally {
    await fh.close()
    release(r)
  }
}
