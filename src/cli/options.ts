/** Options shared by the commands that open a project. */
import type { Command } from 'commander'
import type { Project } from '../project.ts'
import { locateProject, type ProjectLocation } from '../project-location.ts'

// The engine is imported when a command opens a project, not before: a no-op build answered by
// the up-to-date stamp only locates it (see commands/build.ts).
const engine = () => import('../project.ts')

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

export async function open(cmd: Command, sets: string[] = []): Promise<Project> {
  const g = globalOptions(cmd)
  return (await engine()).openProject({ file: g.file, cacheDir: g.cache, sets })
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
  const { openProject, selectTargets } = await engine()
  const project = where ? await openProject(where) : await open(cmd, sets)
  const ids = selectTargets(project.graph, patterns, project.file)
  const closure = project.graph.closure(ids)
  const { checkInputsExist } = await import('../plan/preflight.ts')
  checkInputsExist(project.graph, closure, project.root)
  return { project, ids, closure }
}
