/** `coin path T`: where a target's output lives (cache/out/<id>.out). */
import { existsSync } from 'node:fs'
import type { Command } from 'commander'
import { UserError } from '../../errors.ts'
import { open } from '../options.ts'
import { selectOne } from '../select.ts'

export async function run(target: string, _opts: unknown, cmd: Command) {
  const p = await open(cmd)
  const id = selectOne(p, target, 'path')
  const dir = p.layout.outDir(id)
  if (!existsSync(dir))
    throw new UserError({
      message: `${id} has not been built in this cache`,
      key: id,
      fix: `coin build ${id}`,
    })
  process.stdout.write(`${dir}\n`)
  return 0
}
