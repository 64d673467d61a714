/** Options shared by the commands that open a project. */
import type { Command } from 'commander'
import { checkInputsExist } from '../plan/preflight.ts'
import { locateProject, openProject, type Project, type ProjectLocation, selectTargets } from '../project.ts'

export const collect = (value: string, previous: string[] = []) => [...previous, value]

export interface GlobalOptions {
  file: string
  cache?: string
}

/** `-f/--file` and `--cache`, given before the command (`coin -f x build`) or after it. */
export function globalOptions(cmd: Command): GlobalOptions {
  const local = cmd.opts() as Partial<GlobalOptions>
  const global = (cmd.parent?.opts() ?? {}) as Partial<GlobalOptions>
  return { file: local.file ?? global.file ?? 'Coinfile.ts', cache: local.cache ?? global.cache }
}

export function open(cmd: Command, sets: string[] = []): Promise<Project> {
  const g = globalOptions(cmd)
  return openProject({ file: g.file, cacheDir: g.cache, sets })
}

export function locate(cmd: Command, sets: string[] = []): Promise<ProjectLocation> {
  const g = globalOptions(cmd)
  return locateProject({ file: g.file, cacheDir: g.cache, sets })
}

/**
 * Opens the project and resolves target patterns: `ids` are the selected targets, `closure` adds
 * their dependencies; every declared input file of the closure is checked to exist (stat only).
 */
export async function openSelection(
  cmd: Command,
  patterns: string[],
  sets: string[] = [],
  where?: ProjectLocation,
) {
  const project = where ? await openProject(where) : await open(cmd, sets)
  const ids = selectTargets(project.graph, patterns, project.file)
  const closure = project.graph.closure(ids)
  checkInputsExist(project.graph, closure, project.root)
  return { project, ids, closure }
}
