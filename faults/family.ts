/** A fault family: named trials, each ending in a Verdict; the runner tallies them per family. */
import type { Sandbox, Verdict } from './harness.ts'

export interface Context {
  /** The fault project, built once; `reference` is its clean result. */
  sandbox: Sandbox
  reference: Record<string, string>
  random: () => number
  quick: boolean
  log: (line: string) => void
}

export interface Trial {
  family: string
  name: string
  verdict: Verdict
}

export interface Family {
  name: string
  /** What the family does, for the report. */
  about: string
  run(ctx: Context): Promise<Trial[]>
}
