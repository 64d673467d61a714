/**
 * RFC 4180 CSV, both directions. Reading is done here rather than with DuckDB's `read_csv` so
 * that every error can name the line and column a person has to fix.
 */

export interface CsvRecord {
  /** 1-based line on which the record starts (the header is line 1). */
  line: number
  fields: string[]
}

export interface ParsedCsv {
  header: string[]
  records: CsvRecord[]
}

/** Thrown for malformed CSV; the caller turns it into a UserError naming the file. */
export class CsvSyntaxError extends Error {
  readonly line: number
  constructor(message: string, line: number) {
    super(message)
    this.name = 'CsvSyntaxError'
    this.line = line
  }
}

/** Parses CSV text; blank lines are skipped, a UTF-8 BOM and CRLF line ends are accepted. */
export function parseCsv(text: string): ParsedCsv {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text
  const rows: CsvRecord[] = []
  let fields: string[] = []
  let field = ''
  let line = 1
  let recordLine = 1
  let inQuotes = false
  let quotedLine = 0
  const endRecord = () => {
    fields.push(field)
    const blank = fields.length === 1 && fields[0] === ''
    if (!blank) rows.push({ line: recordLine, fields })
    fields = []
    field = ''
  }
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]
    if (inQuotes) {
      if (ch === '"') {
        if (source[i + 1] === '"') {
          field += '"'
          i++
        } else inQuotes = false
      } else {
        if (ch === '\n') line++
        field += ch
      }
      continue
    }
    if (ch === '"') {
      if (field !== '') throw new CsvSyntaxError('a quote may only open a field', line)
      inQuotes = true
      quotedLine = line
    } else if (ch === ',') {
      fields.push(field)
      field = ''
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && source[i + 1] === '\n') i++
      endRecord()
      line++
      recordLine = line
    } else {
      field += ch
    }
  }
  if (inQuotes) throw new CsvSyntaxError('a quoted field is never closed', quotedLine)
  endRecord()
  const [first, ...records] = rows
  return { header: first?.fields.map((name) => name.trim()) ?? [], records }
}

/** One CSV line: fields that need it are quoted; null and undefined become empty fields. */
export function csvLine(values: readonly (string | number | boolean | null | undefined)[]): string {
  return values.map(csvField).join(',')
}

function csvField(value: string | number | boolean | null | undefined): string {
  if (value == null) return ''
  const text = String(value)
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}
