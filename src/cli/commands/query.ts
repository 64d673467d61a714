/** `coin query "SQL"`: read-only SQL over the results database (scores, metrics, matrix, ...). */
import { dirname, join, resolve } from 'node:path'
import type { Command } from 'commander'
import { UserError } from '../../errors.ts'
import type { JsonValue, QueryTable } from '../../results/index.ts'
import { csvLine, formatTextTable, queryTable } from '../../results/index.ts'

export interface QueryCommandOptions {
  /** Path of the results database; default results/coin.duckdb next to the Coinfile. */
  db?: string
  json?: boolean
  csv?: boolean
}

export async function run(sql: string, opts: QueryCommandOptions & { file?: string }, cmd: Command) {
  const file = opts.file ?? (cmd.parent?.opts() as { file?: string } | undefined)?.file ?? 'Coinfile.ts'
  const db = opts.db ?? join(dirname(resolve(file)), 'results', 'coin.duckdb')
  process.stdout.write(await queryCommand(sql, { ...opts, db }))
  return 0
}

/** What `coin query` prints, as a string (tests call this directly). */
export async function queryCommand(sql: string, opts: QueryCommandOptions): Promise<string> {
  if (opts.json && opts.csv) {
    throw new UserError({
      message: '--json and --csv exclude each other',
      key: '--json/--csv',
      fix: 'pick one output format',
    })
  }
  const result = await queryTable(opts.db ?? join('results', 'coin.duckdb'), sql, { readOnly: true })
  if (opts.json) return result.rows.map((row) => `${JSON.stringify(row)}\n`).join('')
  if (opts.csv) return formatCsv(result)
  return `${formatTable(result)}\n`
}

function formatCsv({ columns, rows }: QueryTable): string {
  const lines = [csvLine(columns), ...rows.map((row) => csvLine(columns.map((c) => csvValue(row[c]))))]
  return `${lines.join('\n')}\n`
}

function formatTable({ columns, rows }: QueryTable): string {
  const numeric = columns.map(
    (c) => rows.length > 0 && rows.every((row) => row[c] === null || typeof row[c] === 'number'),
  )
  const table = formatTextTable(
    columns.map((title, i) => ({ title, align: numeric[i] ? 'right' : 'left' })),
    rows.map((row) => columns.map((c) => displayValue(row[c]))),
  )
  return `${table}\n(${rows.length} ${rows.length === 1 ? 'row' : 'rows'})`
}

function displayValue(value: JsonValue | undefined): string {
  if (value === null || value === undefined) return 'NULL'
  return typeof value === 'object' ? JSON.stringify(value) : String(value)
}

function csvValue(value: JsonValue | undefined): string | number | boolean | null {
  if (value === undefined || value === null) return null
  return typeof value === 'object' ? JSON.stringify(value) : value
}
