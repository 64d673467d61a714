/**
 * coin's public API: what a Coinfile imports (`import { defineCoinfile, rule } from 'coin'`).
 */
export type {
  AnyTargetDecl,
  Coinfile,
  CoinfileSpec,
  InputRef,
  Json,
  ParamExamples,
  Progress,
  Resources,
  Rule,
  RuleSpec,
  RunContext,
  TargetDecl,
  TargetSpec,
} from './config/define.ts'
export { defineCoinfile, dir, file, glob, output, rule } from './config/define.ts'
export type { ShellCommand, ShellRuleSpec } from './config/shell.ts'
export { sh, shell } from './config/shell.ts'
export { UserError } from './errors.ts'
export type { SlurmSettings } from './exec/slurm/settings.ts'
