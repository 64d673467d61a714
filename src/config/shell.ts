/**
 * Shell-command rules. `sh` captures a template literal without running it; the rule runs it with
 * zx, which quotes every interpolated value (never string concatenation), in the project root,
 * with the job's environment (CUDA_VISIBLE_DEVICES...) and abort signal (SIGTERM to the command's
 * whole process group); output goes to the log.
 *
 *   const train = shell({ name: 'train-gpu', command: ({ inputs, params, out }) =>
 *     sh`python scripts/train.py --data ${inputs.data} --lr ${params.lr} --out ${out}` })
 */

import { UserError } from '../errors.ts'
import { lineSplitter, parseProgressLine } from '../exec/progress-lines.ts'
import { checkRuleSpec } from './check-spec.ts'
import type { Json, ParamExamples, Rule, RunContext } from './define.ts'
import { rule } from './define.ts'
import { callerSite, type SourceSite } from './site.ts'

export interface ShellCommand {
  readonly pieces: TemplateStringsArray
  readonly args: unknown[]
}

export function sh(pieces: TemplateStringsArray, ...args: unknown[]): ShellCommand {
  return { pieces, args }
}

export interface ShellRuleSpec<P> {
  name: string
  version?: string
  /** Project files or folders the command reads besides those it names (see RuleSpec.uses). */
  uses?: string[]
  /** The params it takes, by example (see RuleSpec.params). */
  params?: ParamExamples<P>
  /** A JSON Schema for every target's params (see RuleSpec.paramSchema). */
  paramSchema?: Record<string, unknown>
  command(ctx: RunContext<P>): ShellCommand
}

/**
 * The words of a command, rendered as it will be for a target (with a placeholder output dir):
 * literal words split on whitespace, interpolated values whole. Used only to find the project
 * files a command names; the command itself is run by zx.
 */
export function commandWords(cmd: ShellCommand): string[] {
  const words: string[] = []
  cmd.pieces.forEach((piece, i) => {
    words.push(...piece.split(/\s+/).filter(Boolean))
    if (i < cmd.args.length) {
      const arg = cmd.args[i]
      for (const v of Array.isArray(arg) ? arg : [arg])
        if (typeof v === 'string' || typeof v === 'number') words.push(String(v))
    }
  })
  return words
}

// One import for the whole build: a dynamic import per command went through the Coinfile
// loader's (tsx) resolve hook every time, ~1.4 ms per target.
let zx: Promise<typeof import('zx')> | undefined
const loadZx = () => {
  zx ??= import('zx')
  return zx
}

/** What `command` returned must be `sh\`...\``: a plain string would run unquoted (and crashed). */
function checked(name: string, cmd: unknown, site: SourceSite | undefined): ShellCommand {
  const c = cmd as Partial<ShellCommand> | null
  if (typeof c === 'object' && c !== null && Array.isArray(c.pieces) && Array.isArray(c.args))
    return cmd as ShellCommand
  const got = typeof cmd === 'string' ? `the string ${JSON.stringify(cmd.slice(0, 60))}` : kindOf(cmd)
  throw new UserError({
    message: `shell "${name}": command must return a command written with sh\`...\`, got ${got}`,
    file: site?.file,
    line: site?.line,
    key: `${name}.command`,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the fix quotes a template literal
    fix: 'write command: ({ inputs, out }) => sh`cmd ${inputs.x} > ${out}/y` (sh quotes every value)',
  })
}

const kindOf = (x: unknown) =>
  x === null || x === undefined ? String(x) : Array.isArray(x) ? 'a list' : `a ${typeof x}`

/* @__NO_SIDE_EFFECTS__ */
export function shell<P = Json>(spec: ShellRuleSpec<P>): Rule<P> {
  const site = callerSite()
  checkRuleSpec(spec, site, 'shell')
  const command = (ctx: RunContext<P>) => checked(spec.name, spec.command(ctx), site)
  return rule<P>({
    name: spec.name,
    version: spec.version,
    // The key identifies a shell rule by its command template, not by the generic runner below.
    identitySource: spec.command.toString(),
    uses: spec.uses,
    params: spec.params,
    paramSchema: spec.paramSchema,
    commandWords: (ctx) =>
      commandWords(
        command({
          ...ctx,
          key: '',
          out: '/nonexistent/coin-out',
          scratch: '/nonexistent/coin-scratch',
          log: () => {},
          progress: () => {},
          signal: new AbortController().signal,
          resources: { cpu: 1, gpus: [], memGB: 0 },
        }),
      ),
    async run(ctx) {
      const { $ } = await loadZx()
      // The command may keep progress in $COIN_SCRATCH: the folder exists before it starts.
      void ctx.scratch
      const cmd = command(ctx)
      const proc = $({
        cwd: ctx.root,
        env: { ...process.env, ...ctx.env },
        signal: ctx.signal,
        quiet: true,
        nothrow: true,
        // Its own process group, which zx signals as a whole (SIGTERM) when the build aborts: the
        // command's children (python under `cd … && python3 …`) get it too, so a trainer can save
        // its resume state (ctx.scratch) and stop, instead of being orphaned and dying on a closed
        // pipe once coin has exited.
        detached: true,
        // No stdin: with a socket as stdin and SHLVL unset, bash sources ~/.bashrc for every
        // command (measured: 62 ms → 1.2 ms per `bash -c` on this machine).
        stdio: ['ignore', 'pipe', 'pipe'],
      })(cmd.pieces, ...cmd.args)
      // stdout lines of the progress protocol become progress events; every other line is logged.
      const out = lineSplitter((line) => {
        const p = parseProgressLine(line)
        if (p) ctx.progress(p)
        else if (line) ctx.log(line)
      })
      const err = lineSplitter((line) => line && ctx.log(line))
      proc.stdout.on('data', (chunk: Buffer) => out.push(chunk.toString()))
      proc.stderr.on('data', (chunk: Buffer) => err.push(chunk.toString()))
      const result = await proc
      out.flush()
      err.flush()
      if (result.exitCode !== 0) {
        const tail = result.stderr.trim().split('\n').slice(-3).join(' | ')
        throw new Error(`command exited with code ${result.exitCode}${tail ? `: ${tail}` : ''}`)
      }
    },
  })
}
