/** Params as flat `a.b.c → value` pairs: the unit `coin show`, `coin diff` and report headers compare. */
import type { JsonValue } from './database.ts'

/** Objects are walked; arrays and scalars are leaves (an order or a layer list is one value). */
export function flattenParams(
  value: unknown,
  prefix = '',
  out: Record<string, JsonValue> = {},
): Record<string, JsonValue> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const key of Object.keys(value).sort()) {
      flattenParams((value as Record<string, unknown>)[key], prefix ? `${prefix}.${key}` : key, out)
    }
    return out
  }
  if (prefix) out[prefix] = (value ?? null) as JsonValue
  return out
}

/** How a param value prints in a table or a header: strings bare, everything else as JSON. */
export function formatParam(value: JsonValue | undefined): string {
  if (value === undefined) return '–'
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/** The keys whose values are not all equal across `rows` (a key missing from some row differs). */
export function differingKeys(rows: readonly Record<string, JsonValue>[]): string[] {
  const keys = new Set(rows.flatMap((row) => Object.keys(row)))
  return [...keys]
    .filter(
      (key) => new Set(rows.map((row) => (key in row ? JSON.stringify(row[key]) : '\u0000missing'))).size > 1,
    )
    .sort()
}
