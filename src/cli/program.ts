/**
 * Every `coin` command, its arguments, options, help text and examples, in one table. A command's
 * implementation (commands/<name>.ts) is imported only when that command runs, so `coin --help`
 * loads commander and this file, and no engine, rule, DuckDB or onnxruntime module.
 */
import { readFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { join } from 'node:path'
import { packageRoot } from '../package-root.ts'
import { parseGpus, parseJobs, parseMem } from './arguments.ts'
import { Command, Option } from './commander.ts'
import { action } from './errors.ts'

// biome-ignore lint/suspicious/noExplicitAny: commander passes each command's own argument tuple
type Run = (...args: any[]) => Promise<number | undefined> | number | undefined

/** An action that imports its module on first use and calls its `run`. */
const lazy = (load: () => Promise<{ run: Run }>) =>
  action(async (...args: unknown[]) => (await load()).run(...args))

const collect = (value: string, previous: string[] = []) => [...previous, value]

/** `-f/--file`, `--cache` and `--set` for commands that open the project. */
function project(cmd: Command, o: { set?: boolean; shortFile?: boolean } = {}): Command {
  cmd.option(
    o.shortFile === false ? '--file <path>' : '-f, --file <path>',
    'the Coinfile (default: Coinfile.ts)',
  )
  cmd.option('--cache <dir>', 'cache directory (default: <Coinfile dir>/cache)')
  if (o.set !== false)
    cmd.option('--set <path=value>', 'override a Coinfile param (JSON value; repeatable)', collect, [])
  return cmd
}

const examples = (lines: string[]) => `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`

/** coin's version, from its package.json. */
export function version(): string {
  return String(JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')).version)
}

export function createProgram(): Command {
  const program = new Command()
    .name('coin')
    .description('A declarative build system for continual-learning experiments')
    .version(version(), '-V, --version', "print coin's version")
    .option('-f, --file <path>', 'the Coinfile (default: Coinfile.ts)')
    .option('--cache <dir>', 'cache directory (default: <Coinfile dir>/cache)')
    .enablePositionalOptions()
    .showHelpAfterError()
    .addHelpText(
      'after',
      `${examples([
        'coin build results/forgetting',
        "coin status 'train/lora/**'",
        'coin why train/lora/7-vqav2 --set stages.vqav2.lr=0.001',
        'coin build --help           (each command has its own help and examples)',
      ])}\nExit codes: 0 ok, 1 a target failed, 2 bad input (Coinfile, param, argument, data), 70 internal error, 130 interrupted.\n`,
    )
    .exitOverride((err) => {
      // Commander's own usage errors (unknown option, missing argument) are user errors: exit 2.
      process.exit(err.exitCode === 0 ? 0 : 2)
    })

  project(
    program
      .command('build')
      .description('build targets (ids, globs such as eval/lora/**, or prefixes); default: every target')
      .argument('[targets...]', 'target ids, globs or prefixes'),
  )
    .option('-j, --jobs <n>', 'CPU slots to run jobs in', parseJobs, String(Math.max(1, cpus().length)))
    .option('--gpus <ids>', 'GPU ids to hand out (default: CUDA_VISIBLE_DEVICES or nvidia-smi)', parseGpus)
    .option(
      '--mem <GB>',
      'memory pool in GB for targets that declare memGB',
      parseMem,
      String(Math.floor(totalmem() / 2 ** 30)),
    )
    .option(
      '--executor <name>',
      'where targets run unless they say: local or slurm (default: the Coinfile’s, else local)',
    )
    .option(
      '--local <glob>',
      'run the targets matching this id glob locally, whatever their executor (repeatable)',
      collect,
      [],
    )
    .option('--slurm-partition <name>', 'sbatch --partition')
    .option('--slurm-account <name>', 'sbatch --account')
    .option('--slurm-qos <name>', 'sbatch --qos')
    .option('--slurm-time <limit>', 'sbatch --time (e.g. 2:00:00)')
    .option('--slurm-gpu-flag <form>', 'ask for GPUs with --gres=gpu:N (gres, default) or --gpus=N (gpus)')
    .option('--slurm-gpu-type <type>', 'GPU type for --gres=gpu:<type>:N')
    .option('--slurm-extra <flag>', 'a further sbatch flag (repeatable)', collect, [])
    .option('--slurm-retries <n>', 'resubmit a failed, timed-out or externally cancelled job n times')
    .option('--slurm-poll <ms>', 'how often to query squeue (one call for all jobs)')
    .option('-k, --keep-going', 'keep building what does not depend on a failed target')
    .option('-n, --dry-run', 'show what would be fresh, restored or run, and why; run nothing')
    .option('--json', 'one JSON event per line on stdout')
    .addHelpText(
      'after',
      examples([
        'coin build                              every target',
        'coin build results/forgetting           one target and what it needs',
        "coin build 'eval/lora/**' -j 4 -k        a glob, 4 CPU slots, keep going past failures",
        'coin build --set stages.vqav2.lr=0.001  with a param overridden',
        'coin build -n                           what would run, and why',
        'coin build --executor slurm --slurm-partition gpu   every target as a Slurm job',
      ]),
    )
    .action(lazy(() => import('./commands/build.ts')))

  project(
    program
      .command('status')
      .description('show which targets are fresh, restorable from the cache, or must run (and why)')
      .argument('[targets...]', 'target ids, globs or prefixes (default: all)'),
  )
    .option('--json', 'one JSON object per target')
    .addHelpText('after', examples(['coin status', "coin status 'train/**' --json"]))
    .action(lazy(() => import('./commands/status.ts')))

  project(
    program
      .command('why')
      .description('explain why targets would run: the first differing key components')
      .argument('<targets...>', 'target ids, globs or prefixes'),
  )
    .option('--json', 'one JSON object per target')
    .addHelpText(
      'after',
      examples(['coin why results/forgetting', 'coin why train/lora/7-vqav2 --set stages.vqav2.lr=0.001']),
    )
    .action(lazy(() => import('./commands/why.ts')))

  project(
    program.command('list').description('list target ids').argument('[targets...]', 'ids, globs or prefixes'),
  )
    .option('--json', 'one JSON object per target')
    .addHelpText('after', examples(['coin list', "coin list 'eval/**' --json"]))
    .action(lazy(() => import('./commands/list.ts')))

  project(
    program.command('graph').description('print the target graph').argument('[targets...]', 'ids or globs'),
  )
    .addOption(new Option('--format <fmt>', 'output format').choices(['dot', 'mermaid']).default('dot'))
    .addHelpText(
      'after',
      examples(['coin graph results/forgetting | dot -Tsvg > graph.svg', 'coin graph --format mermaid']),
    )
    .action(lazy(() => import('./commands/graph.ts')))

  project(
    program.command('params').description('list every Coinfile param, its value and where it is declared'),
  )
    .option('--json', 'a JSON array')
    .addHelpText('after', examples(['coin params', 'coin params --set seed=1 --json']))
    .action(lazy(() => import('./commands/params.ts')))

  project(
    program
      .command('log')
      .description("print a target's log: the log of the output in place (default) or of the last attempt")
      .argument('<target>', 'target id'),
    { set: false, shortFile: false },
  )
    .option('-f, --follow', 'keep printing as a running target writes its log (like tail -f)')
    .addOption(
      new Option(
        '--attempt <which>',
        "'current': the output in place; 'last': the last attempt, failed or not",
      )
        .choices(['current', 'last'])
        .default('current'),
    )
    .addHelpText(
      'after',
      examples([
        'coin log train/lora/3-imagenet',
        'coin log -f train/lora/3-imagenet',
        'coin log T --attempt last',
      ]),
    )
    .action(lazy(() => import('./commands/log.ts')))

  project(
    program
      .command('path')
      .description("print where a target's output lives")
      .argument('<target>', 'target id'),
    {
      set: false,
    },
  )
    .addHelpText('after', examples(['ls "$(coin path results/forgetting)"']))
    .action(lazy(() => import('./commands/path.ts')))

  project(
    program
      .command('gc')
      .description('delete cached work the current Coinfile no longer reaches (pinned targets are kept)'),
    { set: false },
  )
    .option('-n, --dry-run', 'report what would be freed, delete nothing')
    .addHelpText('after', examples(['coin gc -n', 'coin gc']))
    .action(lazy(() => import('./commands/gc.ts')))

  project(
    program
      .command('pin')
      .description("keep targets' current outputs through `coin gc`")
      .argument('<targets...>', 'ids, globs or prefixes: every match is pinned'),
    { set: false },
  )
    .addHelpText('after', examples(['coin pin results/forgetting', "coin pin 'train/lora/**'"]))
    .action(lazy(() => import('./commands/pin.ts')))

  project(
    program
      .command('unpin')
      .description('undo coin pin')
      .argument('<targets...>', 'ids, globs or prefixes: every pinned match is unpinned'),
    { set: false },
  )
    .addHelpText('after', examples(["coin unpin 'train/lora/**'"]))
    .action(lazy(() => import('./commands/unpin.ts')))

  project(program.command('clean').description('remove the cache (cache/); results/ is never touched'), {
    set: false,
  })
    .addHelpText('after', examples(['coin clean']))
    .action(lazy(() => import('./commands/clean.ts')))

  program
    .command('score')
    .description("score a prediction file with a CoIN task's rule (CoIN's own scoring, or --variant strict)")
    .requiredOption('--task <task>', 'scienceqa, textvqa, imagenet, gqa, vizwiz, grounding, vqav2 or ocrvqa')
    .option('--test <file>', 'test records: CoIN test.json / val.json (a JSON array)')
    .option(
      '--annotations <path>',
      "the gold CoIN's scorer reads: TextVQA_0.5.1_val.json (textvqa), or the folder of problems.json + pid_splits.json (scienceqa)",
    )
    .requiredOption('--pred <file>', 'predictions: JSONL, one {"question_id", "text"} per line (merge.jsonl)')
    .addOption(
      new Option(
        '--variant <variant>',
        "'coin' reproduces CoIN's numbers, quirks included; 'strict' fixes them",
      )
        .choices(['coin', 'strict'])
        .default('coin'),
    )
    .option('--json', 'print the result as one JSON object')
    .addHelpText(
      'after',
      examples(['coin score --task textvqa --test TextVQA/test.json --pred merge.jsonl --variant strict']),
    )
    .action(lazy(() => import('./commands/score.ts')))

  program
    .command('metrics')
    .description('compute ACC, BWT, FWT, forgetting and MAA from a long CSV of accuracies')
    .requiredOption(
      '--from <csv>',
      'CSV with columns method,stage,stage_task,eval_task,value (stage 0 = zero-shot)',
    )
    .option('--tasks <list>', 'task order, comma-separated (default: read off stage_task of stages 1..T)')
    .option('--json', 'one JSON object per method')
    .addHelpText(
      'after',
      examples(['coin metrics --from scores.csv', 'coin metrics --from scores.csv --tasks a,b,c --json']),
    )
    .action(lazy(() => import('./commands/metrics.ts')))

  program
    .command('query')
    .description(
      'run read-only SQL on the results database (tables scores, experiments, runs; views matrix, metrics, task_drop)',
    )
    .argument('<sql>', 'the query')
    .option('--db <path>', 'results database (default: results/coin.duckdb next to the Coinfile)')
    .option('--file <path>', 'the Coinfile whose results/ to read (default: Coinfile.ts)')
    .option('--json', 'one JSON object per row')
    .option('--csv', 'CSV with a header line')
    .addHelpText(
      'after',
      examples([
        'coin query "select experiment, acc, bwt from metrics order by acc desc"',
        'coin query "select * from matrix" --csv',
      ]),
    )
    .action(lazy(() => import('./commands/query.ts')))

  program
    .command('show')
    .description('compare runs: one row per (run, experiment), the params that differ, and the metrics')
    .option('--db <path>', 'results database (default: results/coin.duckdb next to the Coinfile)')
    .option(
      '--where <filter>',
      "keep rows where FIELD OP VALUE, e.g. 'method = lora', 'acc > 50' (repeatable)",
      collect,
      [],
    )
    .option('--sort <field>', "sort by a field (a metric, a param, run, experiment); '-acc' sorts descending")
    .option('--last <n>', 'only the last N runs')
    .option('--all-params', 'show every param, not only those that differ between the rows')
    .option('--json', 'one JSON object per row')
    .option('--csv', 'CSV with a header line')
    .addHelpText('after', examples(['coin show', "coin show --where 'method = lora' --sort -acc --last 5"]))
    .action(lazy(() => import('./commands/show.ts')))

  program
    .command('diff')
    .description(
      'params and metrics between two runs (default: the last two); A/B = run ids or git revisions',
    )
    .argument('[a]', 'the earlier run: r3, 3, or a git revision (its last run)')
    .argument('[b]', 'the later run (default: the latest run)')
    .option('--db <path>', 'results database (default: results/coin.duckdb next to the Coinfile)')
    .option('--json', 'the diff as one JSON object')
    .addHelpText('after', examples(['coin diff', 'coin diff r3 r5', 'coin diff HEAD~1']))
    .action(lazy(() => import('./commands/diff.ts')))

  program
    .command('exec')
    .description('run one action file (what the Slurm executor submits); commits its outputs to the cache')
    .argument('<action>', 'path to an action .json')
    .addHelpText('after', examples(['coin exec <action.json>   (what sbatch runs; not for hand use)']))
    .action(lazy(() => import('./commands/exec.ts')))

  program
    .command('init')
    .description(
      'write a starter project: Coinfile.ts, package.json ("type": "module"), tsconfig.json, .gitignore',
    )
    .argument('[dir]', 'the project folder (default: the current one)')
    .addHelpText('after', examples(['npx coin init && npx coin build', 'npx coin init my-experiment']))
    .action(lazy(() => import('./commands/init.ts')))

  project(
    program
      .command('check')
      .description("type-check the Coinfile (with the project's TypeScript) and load it"),
  )
    .addHelpText('after', examples(['coin check', 'coin check -f experiments/Coinfile.ts']))
    .action(lazy(() => import('./commands/check.ts')))

  program
    .command('completion')
    .description('print a shell completion script (commands, options and target ids)')
    .argument('<shell>', 'bash or zsh')
    .addHelpText(
      'after',
      examples([
        'coin completion bash >> ~/.bashrc',
        'coin completion zsh > ~/.zsh/completions/_coin   (a folder on $fpath)',
      ]),
    )
    .action(lazy(() => import('./commands/completion.ts')))

  return program
}
