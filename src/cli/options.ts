/** Options shared by the commands that open a project. */
import type { Command } from 'commander'
import { checkInputsExist } from '../plan/preflight.ts'
import { openProject, type Project, selectTargets } from '../project.ts'

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

/**
 * Opens the project and resolves target patterns: `ids` are the selected targets, `closure` adds
 * their dependencies; every declared input file of the closure is checked to exist (stat only).
 */
export async function openSelection(cmd: Command, patterns: string[], sets: string[] = []) {
  const project = await open(cmd, sets)
  const ids = selectTargets(project.graph, patterns, project.loaded.path)
  const closure = project.graph.closure(ids)
  checkInputsExist(project.graph, closure, project.root)
  return { project, ids, closure }
}
