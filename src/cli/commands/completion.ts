/**
 * `coin completion bash|zsh`: a completion script. Commands and options come from the program
 * table; target ids are listed by running `coin list` in the current directory when completing.
 */
import type { Command } from 'commander'
import { UserError } from '../../errors.ts'

/** Commands whose arguments are target ids. */
const TARGET_COMMANDS = ['build', 'status', 'why', 'list', 'graph', 'log', 'path', 'pin', 'unpin']

export function run(shell: string, _opts: unknown, cmd: Command) {
  const program = cmd.parent!
  const commands = program.commands.map((c) => c.name())
  const options: Record<string, string[]> = {}
  for (const c of program.commands)
    options[c.name()] = c.options.flatMap((o) => [o.short, o.long].filter(Boolean) as string[])
  if (shell === 'bash') process.stdout.write(bash(commands, options))
  else if (shell === 'zsh')
    process.stdout.write(
      `#compdef coin\nautoload -U bashcompinit && bashcompinit\n${bash(commands, options)}`,
    )
  else
    throw new UserError({
      message: `no completion for shell "${shell}"`,
      key: shell,
      fix: 'coin completion bash, or coin completion zsh',
    })
  return 0
}

function bash(commands: string[], options: Record<string, string[]>): string {
  const cases = Object.entries(options)
    .map(([c, opts]) => `      ${c}) opts=${JSON.stringify(opts.join(' '))} ;;`)
    .join('\n')
  return `# coin completion (bash; zsh through bashcompinit). Install: coin completion bash >> ~/.bashrc
_coin() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" cmd="" i opts=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in -f|--file|--cache) ((i++)) ;; -*) ;; *) cmd="\${COMP_WORDS[i]}"; break ;; esac
  done
  if [[ -z "$cmd" ]]; then
    COMPREPLY=($(compgen -W "${commands.join(' ')} --help --version -f --file --cache" -- "$cur"))
    return
  fi
  case "$cmd" in
${cases}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$opts --help" -- "$cur"))
  elif [[ " ${TARGET_COMMANDS.join(' ')} " == *" $cmd "* ]]; then
    COMPREPLY=($(compgen -W "$(coin list 2>/dev/null | cut -d' ' -f1)" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -F _coin coin
`
}
