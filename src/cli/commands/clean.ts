/** `coin clean`: remove the cache directory; results/ is never touched. */
import { existsSync, rmSync } from 'node:fs'
import type { Command } from 'commander'
import { dirSize } from '../../cache/gc.ts'
import { open } from '../options.ts'
import { formatBytes } from './format-bytes.ts'

export async function run(_opts: unknown, cmd: Command) {
  const p = await open(cmd)
  const dir = p.layout.root
  const bytes = dirSize(dir)
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true })
  process.stdout.write(`removed ${dir} (${formatBytes(bytes)})\n`)
  return 0
}
