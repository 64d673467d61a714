/** Shown wherever a value is missing (a cell not evaluated, a metric that is NULL). */
export const MISSING = '–'

/**
 * Fixed-point text for a number, `missing` for null. Rounding is JavaScript's `toFixed`, so the
 * same number always prints the same way, and a value that rounds to zero never prints as "-0.00".
 */
export function formatFixed(value: number | null | undefined, digits = 2, missing = MISSING): string {
  if (value == null || Number.isNaN(value)) return missing
  const text = value.toFixed(digits)
  return /^-0\.?0*$/.test(text) ? text.slice(1) : text
}

export interface TextColumn {
  title: string
  /** Numbers are right-aligned, text left-aligned. */
  align: 'left' | 'right'
}

/** A plain aligned table for a terminal: a header, a rule of dashes, then the rows. */
export function formatTextTable(
  columns: readonly TextColumn[],
  rows: readonly (readonly string[])[],
): string {
  const widths = columns.map((column, i) =>
    Math.max(displayWidth(column.title), ...rows.map((row) => displayWidth(row[i] ?? ''))),
  )
  const line = (cells: readonly string[]) =>
    columns
      .map((column, i) => pad(cells[i] ?? '', widths[i] ?? 0, column.align))
      .join('  ')
      .trimEnd()
  return [
    line(columns.map((column) => column.title)),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map(line),
  ].join('\n')
}

function pad(text: string, width: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(text)))
  return align === 'right' ? fill + text : text + fill
}

/** Code points, not UTF-16 units, so "–" counts as one column. */
function displayWidth(text: string): number {
  return [...text].length
}
