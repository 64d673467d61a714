/**
 * Injected disk-full for coin processes (`node --import faults/enospc-preload.mjs`), where a small
 * tmpfs cannot be mounted. Every write-like call on a path under COIN_FAULT_ENOSPC_DIR fails with
 * ENOSPC once COIN_FAULT_ENOSPC_AFTER (default 0) such calls have succeeded, the way a full disk
 * fails them. Covers the sync, callback-free promise and stream-less calls coin makes.
 */
import fs from 'node:fs'
import { syncBuiltinESMExports } from 'node:module'
import { resolve } from 'node:path'

const dir = process.env.COIN_FAULT_ENOSPC_DIR ? resolve(process.env.COIN_FAULT_ENOSPC_DIR) : undefined
let budget = Number(process.env.COIN_FAULT_ENOSPC_AFTER ?? 0)

const full = (path, syscall) => {
  const err = new Error(`ENOSPC: no space left on device, ${syscall} '${path}'`)
  Object.assign(err, { errno: -28, code: 'ENOSPC', syscall, path: String(path) })
  return err
}
const hits = (path) => {
  if (!dir || (typeof path !== 'string' && !(path instanceof URL))) return false
  if (!resolve(String(path)).startsWith(dir)) return false
  return budget-- <= 0
}

if (dir) {
  for (const [name, syscall, argIndex] of [
    ['writeFileSync', 'write', 0],
    ['appendFileSync', 'write', 0],
    ['copyFileSync', 'copyfile', 1],
  ]) {
    const original = fs[name]
    fs[name] = function (...args) {
      if (hits(args[argIndex])) throw full(args[argIndex], syscall)
      return original.apply(this, args)
    }
  }
  for (const [name, syscall, argIndex] of [
    ['writeFile', 'write', 0],
    ['appendFile', 'write', 0],
    ['copyFile', 'copyfile', 1],
  ]) {
    const original = fs.promises[name]
    fs.promises[name] = async function (...args) {
      if (hits(args[argIndex])) throw full(args[argIndex], syscall)
      return original.apply(this, args)
    }
  }
  syncBuiltinESMExports()
}
