/**
 * Shell-command rules. `sh` captures a template literal without running it; the rule renders it
 * with zx's quoting (every interpolated value quoted, never string concatenation) and runs it with
 * bash in the project root, with the job's environment (CUDA_VISIBLE_DEVICES...) and abort signal
 * (SIGTERM to the command's whole process group); output goes to the log.
 *
 *   const train = shell({ name: 'train-gpu', command: ({ inputs, params, out }) =>
 *     sh`python scripts/train.py --data ${inputs.data} --lr ${params.lr} --out ${out}` })
 */

import { dirname, join } from 'node:path'
import { UserError } from '../errors.ts'
import { lineSplitter, parseProgressLine } from '../exec/progress-lines.ts'
import { type Exit, runShell } from '../exec/shell-server.ts'
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
 * files a command names; the command itself is run through exec/shell-server.ts.
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

// zx's quoting (its `quote`, from zx/core: the full zx import is ~200 ms), loaded once per build:
// a dynamic import per command cost a module resolution every time.
let quoting: Promise<(arg: string) => string> | undefined
const loadQuote = () => {
  quoting ??= import('zx/core').then((m) => m.quote)
  return quoting
}

const isPromiseLike = (v: unknown): v is PromiseLike<unknown> =>
  typeof (v as { then?: unknown } | null)?.then === 'function'

// As zx: a ProcessOutput interpolates as its stdout without the final newline, anything else as text.
const substitute = (v: unknown): string =>
  typeof (v as { stdout?: unknown } | null)?.stdout === 'string'
    ? (v as { stdout: string }).stdout.replace(/\n$/, '')
    : `${v}`

/** The command line zx would run for a template: every interpolated value quoted, arrays word by word. */
export async function renderCommand(cmd: ShellCommand): Promise<string> {
  const quote = await loadQuote()
  const args = cmd.args.some(isPromiseLike) ? await Promise.all(cmd.args) : cmd.args
  let line = cmd.pieces[0] ?? ''
  args.forEach((arg, i) => {
    const text = Array.isArray(arg) ? arg.map((x) => quote(substitute(x))).join(' ') : quote(substitute(arg))
    line += text + (cmd.pieces[i + 1] ?? '')
  })
  return line
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
      // The command may keep progress in $COIN_SCRATCH: the folder exists before it starts.
      void ctx.scratch
      const line = await renderCommand(command(ctx))
      if (ctx.signal.aborted) throw ctx.signal.reason ?? new Error('aborted')
      // stdout lines of the progress protocol become progress events; every other line is logged.
      const out = lineSplitter((l) => {
        const p = parseProgressLine(l)
        if (p) ctx.progress(p)
        else if (l) ctx.log(l)
      })
      const errTail: string[] = []
      const err = lineSplitter((l) => {
        if (!l) return
        ctx.log(l)
        errTail.push(l)
        if (errTail.length > 3) errTail.shift()
      })
      // Run as `bash -c 'set -euo pipefail;…'` (zx's prefix: `a | b` fails when a fails) would run
      // it, by this process's shell server (exec/shell-server.ts), in its own process group,
      // signalled as a whole on abort: the command's children (python under `cd … && python3 …`)
      // get SIGTERM too, so a trainer can save its resume state and stop. No stdin. Its output
      // goes through two files in the staging folder, next to out/.
      const staging = dirname(ctx.out)
      const proc = runShell(
        {
          command: line,
          cwd: ctx.root,
          env: ctx.env,
          stdoutFile: join(staging, 'command.stdout'),
          stderrFile: join(staging, 'command.stderr'),
        },
        { stdout: (t) => out.push(t), stderr: (t) => err.push(t) },
      )
      const onAbort = () => proc.kill('SIGTERM')
      ctx.signal.addEventListener('abort', onAbort, { once: true })
      let exit: Exit
      try {
        exit = await proc.done
      } finally {
        ctx.signal.removeEventListener('abort', onAbort)
      }
      out.flush()
      err.flush()
      if (exit.code !== 0) {
        const tail = errTail.join(' | ')
        const how = `exited with code ${exit.code}${exit.signal ? ` (${exit.signal})` : ''}`
        throw new Error(`command ${how}${tail ? `: ${tail}` : ''}`)
      }
    },
  })
}
