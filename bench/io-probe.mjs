// Preloaded into a measured process (`node --import bench/io-probe.mjs ...`): at exit, copies
// /proc/self/io (rchar, read_bytes, ...) to the file named by COIN_BENCH_IO. The counters cover
// every thread of the process, including libuv's pool threads that do the actual file reads, so
// a warm no-op that reads no input bytes shows it here. Plain JS so it loads before tsx does.
import { readFileSync, writeFileSync } from 'node:fs'

const target = process.env.COIN_BENCH_IO
if (target) {
  process.on('exit', () => {
    try {
      writeFileSync(target, readFileSync('/proc/self/io', 'utf8'))
    } catch {
      // No /proc (not Linux): the benchmark reports the counters as missing.
    }
  })
}
