/**
 * `coin show`: experiments side by side, one row per (run, experiment), with the params that
 * differ between the rows shown and the continual-learning metrics. Filters (`--where`), a sort,
 * JSON/CSV for scripts, and a table that fits the terminal.
 */
import { dirname, join, resolve } from 'node:path'
import type { Command } from 'commander'
import { UserError } from '../../errors.ts'
import {
  csvLine,
  differingKeys,
  type ExperimentResult,
  formatFixed,
  formatParam,
  formatTextTable,
  type JsonValue,
  loadRunTable,
} from '../../results/index.ts'
import { globalOptions } from '../options.ts'

export interface ShowOptions {
  db: string
  where?: string[]
  sort?: string
  last?: number
  /** Every param, not only those that differ. */
  allParams?: boolean
  json?: boolean
  csv?: boolean
  /** Terminal width; undefined = no limit (not a terminal). */
  width?: number
}

export async function run(
  opts: Omit<ShowOptions, 'db' | 'last' | 'width'> & { db?: string; last?: string },
  cmd: Command,
) {
  const file = globalOptions(cmd).file
  const db = opts.db ?? join(dirname(resolve(file)), 'results', 'coin.duckdb')
  const last = opts.last === undefined ? undefined : Number(opts.last)
  if (last !== undefined && !(Number.isInteger(last) && last > 0))
    throw new UserError({
      message: `--last must be a positive integer, not '${opts.last}'`,
      key: '--last',
    })
  process.stdout.write(
    await showCommand({
      ...opts,
      db,
      last,
      width: process.stdout.isTTY ? process.stdout.columns : undefined,
    }),
  )
  return 0
}

/** What `coin show` prints (tests call this directly). */
export async function showCommand(opts: ShowOptions): Promise<string> {
  if (opts.json && opts.csv)
    throw new UserError({
      message: '--json and --csv exclude each other',
      key: '--json/--csv',
      fix: 'pick one',
    })
  const table = await loadRunTable(opts.db)
  const keep = opts.last ? new Set(table.runs.slice(-opts.last).map((r) => r.run_id)) : undefined
  let rows = table.rows.filter((row) => !keep || keep.has(row.run.run_id))
  const fields = (row: ExperimentResult) => rowFields(row, table.metrics)
  for (const filter of opts.where ?? []) rows = rows.filter(compileFilter(filter, rows.map(fields)))
  if (opts.sort) rows = sortRows(rows, opts.sort, fields)
  const params = opts.allParams
    ? [...new Set(rows.flatMap((row) => Object.keys(row.run.params)))].sort()
    : differingKeys(rows.map((row) => row.run.params))
  if (opts.json) {
    return rows
      .map((row) =>
        JSON.stringify({
          run: row.run.run_id,
          started_at: row.run.started_at,
          git_rev: row.run.git_rev,
          experiment: row.experiment,
          method: row.method,
          order_name: row.order_name,
          kind: row.kind,
          params: Object.fromEntries(params.map((p) => [p, row.run.params[p] ?? null])),
          ...row.metrics,
        }),
      )
      .map((line) => `${line}\n`)
      .join('')
  }
  if (opts.csv) {
    const header = ['run', 'experiment', 'method', 'kind', ...params, ...table.metrics]
    const lines = rows.map((row) =>
      csvLine([
        row.run.run_id,
        row.experiment,
        row.method,
        row.kind,
        ...params.map((p) => (row.run.params[p] === undefined ? null : formatParam(row.run.params[p]))),
        ...table.metrics.map((m) => (row.metrics[m] == null ? null : String(row.metrics[m]))),
      ]),
    )
    return `${[csvLine(header), ...lines].join('\n')}\n`
  }
  if (rows.length === 0) return table.rows.length === 0 ? 'no runs recorded yet\n' : 'no row matches\n'
  return `${fitTable(rows, params, table.metrics, opts.width)}\n`
}

/** The fields a filter or a sort can name. */
function rowFields(row: ExperimentResult, metrics: string[]): Record<string, JsonValue> {
  return {
    ...row.run.params,
    run: row.run.run_id,
    seq: row.run.seq,
    git: row.run.git_rev,
    experiment: row.experiment,
    method: row.method,
    order: row.order_name,
    kind: row.kind,
    ...Object.fromEntries(metrics.map((m) => [m, row.metrics[m] ?? null])),
  }
}

const FILTER = /^\s*([\w.[\]-]+)\s*(!=|<=|>=|=|<|>|~)\s*(.*?)\s*$/

/** `method = lora`, `acc >= 50`, `stages.vqav2.lr != 0.01`, `experiment ~ lora` (substring). */
function compileFilter(
  text: string,
  examples: Record<string, JsonValue>[],
): (row: ExperimentResult) => boolean {
  const m = FILTER.exec(text)
  if (!m) {
    throw new UserError({
      message: `cannot read the filter '${text}'`,
      key: '--where',
      fix: "write FIELD OP VALUE with OP one of = != < <= > >= ~, e.g. --where 'method = lora'",
    })
  }
  const [, field = '', op, raw = ''] = m
  const known = new Set(examples.flatMap((row) => Object.keys(row)))
  if (examples.length > 0 && !known.has(field)) {
    throw new UserError({
      message: `unknown field '${field}' in --where`,
      key: field,
      fix: `fields: ${[...known].sort().join(', ')}`,
    })
  }
  const wanted = raw.replace(/^(['"])(.*)\1$/, '$2')
  return (row) => compare(fieldValue(row, field), op as string, wanted)
}

function fieldValue(row: ExperimentResult, field: string): JsonValue | undefined {
  switch (field) {
    case 'run':
      return row.run.run_id
    case 'seq':
      return row.run.seq
    case 'git':
      return row.run.git_rev
    case 'experiment':
      return row.experiment
    case 'method':
      return row.method
    case 'order':
      return row.order_name
    case 'kind':
      return row.kind
  }
  if (field in row.metrics) return row.metrics[field] ?? null
  return row.run.params[field]
}

function compare(value: JsonValue | undefined, op: string, wanted: string): boolean {
  if (value === undefined || value === null)
    return op === '!=' ? wanted !== 'null' : wanted === 'null' && op === '='
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  const number = Number(wanted)
  const numeric = typeof value === 'number' && wanted !== '' && Number.isFinite(number)
  switch (op) {
    case '=':
      return numeric ? value === number : text === wanted
    case '!=':
      return numeric ? value !== number : text !== wanted
    case '~':
      return text.includes(wanted)
    default: {
      const [a, b] = numeric ? [value as number, number] : [text, wanted]
      return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b
    }
  }
}

function sortRows(
  rows: ExperimentResult[],
  spec: string,
  fields: (row: ExperimentResult) => Record<string, JsonValue>,
): ExperimentResult[] {
  const descending = spec.startsWith('-')
  const field = descending ? spec.slice(1) : spec
  const known = new Set(rows.flatMap((row) => Object.keys(fields(row))))
  if (rows.length > 0 && !known.has(field))
    throw new UserError({
      message: `unknown field '${field}' in --sort`,
      key: field,
      fix: `fields: ${[...known].sort().join(', ')}`,
    })
  const key = (row: ExperimentResult) => fieldValue(row, field)
  return [...rows].sort((a, b) => {
    const x = key(a)
    const y = key(b)
    // Missing values sort last either way.
    if (x == null || y == null) return x == null ? (y == null ? 0 : 1) : -1
    const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))
    return descending ? -order : order
  })
}

/**
 * An aligned table no wider than `width`: param headers are shortened to their last distinct
 * segments, and when it is still too wide the least informative columns go, with a note.
 */
function fitTable(rows: ExperimentResult[], params: string[], metrics: string[], width?: number): string {
  const titles = shortNames(params)
  type Column = {
    title: string
    align: 'left' | 'right'
    cell: (row: ExperimentResult) => string
    drop: number
  }
  const columns: Column[] = [
    { title: 'run', align: 'left', cell: (r) => r.run.run_id, drop: 99 },
    { title: 'experiment', align: 'left', cell: (r) => r.experiment, drop: 99 },
    { title: 'kind', align: 'left', cell: (r) => r.kind, drop: 1 },
    ...params.map((p, i) => ({
      title: titles[i] ?? p,
      align: 'left' as const,
      cell: (r: ExperimentResult) => formatParam(r.run.params[p]),
      drop: 50,
    })),
    ...metrics.map((m, i) => ({
      title: m,
      align: 'right' as const,
      cell: (r: ExperimentResult) => formatFixed(r.metrics[m]),
      drop: m === 'acc' ? 98 : 10 - i,
    })),
  ]
  const render = (cols: Column[]) =>
    formatTextTable(
      cols.map((c) => ({ title: c.title, align: c.align })),
      rows.map((row) => cols.map((c) => c.cell(row))),
    )
  let shown = columns
  let text = render(shown)
  const tooWide = (t: string) =>
    width !== undefined && Math.max(...t.split('\n').map((l) => [...l].length)) > width
  while (tooWide(text) && shown.some((c) => c.drop < 98)) {
    const victim = shown.filter((c) => c.drop < 98).reduce((a, b) => (b.drop < a.drop ? b : a))
    shown = shown.filter((c) => c !== victim)
    text = render(shown)
  }
  const hidden = columns.filter((c) => !shown.includes(c)).map((c) => c.title)
  const notes: string[] = []
  if (hidden.length)
    notes.push(
      `(${hidden.length} column(s) hidden to fit the terminal: ${hidden.join(', ')}; use --json or --csv)`,
    )
  if (params.length === 0 && new Set(rows.map((r) => r.run.run_id)).size > 1)
    notes.push('(the runs shown have identical params; --all-params lists them)')
  return [text, ...notes].join('\n')
}

/**
 * `stages.vqav2.lr`, `stages.gqa.lr` → `vqav2.lr`, `gqa.lr`: the shortest suffixes that stay
 * distinct, but at least two segments (a bare `lr` does not say whose).
 */
export function shortNames(keys: string[]): string[] {
  return keys.map((key) => {
    const parts = key.split('.')
    for (let n = Math.min(2, parts.length); n <= parts.length; n++) {
      const suffix = parts.slice(-n).join('.')
      if (keys.filter((other) => other === suffix || other.endsWith(`.${suffix}`)).length === 1) return suffix
    }
    return key
  })
}
