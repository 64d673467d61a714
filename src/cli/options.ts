/** Options shared by the commands that open a project. */
import type { Command } from 'commander'
import { openProject, type Project } from '../project.ts'

export interface GlobalOptions {
  file: string
  cache?: string
}

export const collect = (value: string, previous: string[] = []) => [...previous, value]

/** Adds `--set path=value` (repeatable) to a command. */
export function withSet(cmd: Command): Command {
  return cmd.option('--set <path=value>', 'override a Coinfile param (JSON value; repeatable)', collect, [])
}

export function open(cmd: Command, sets: string[] = []): Promise<Project> {
  const g = cmd.optsWithGlobals() as GlobalOptions
  return openProject({ file: g.file, cacheDir: g.cache, sets })
}
