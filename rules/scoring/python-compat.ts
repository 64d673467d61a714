/**
 * The few Python built-ins CoIN's evaluation scripts lean on, reproduced where JavaScript's
 * nearest equivalent behaves differently on inputs a model can produce.
 */

/**
 * Python's `float(s)`: surrounding whitespace allowed, digit-group underscores ("1_000"), "inf",
 * "infinity", "nan" in any case, but not "" or hex ("0x10"), both of which `Number()` accepts.
 * Returns undefined where Python raises ValueError. One known gap: Python also reads non-ASCII
 * decimal digits ("١" → 1.0); these are rejected here, which no bbox a model writes will hit.
 */
export function parsePythonFloat(text: string): number | undefined {
  const s = text.trim()
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(s)
  if (special) {
    if (special[2]!.toLowerCase() === 'nan') return Number.NaN
    return special[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY
  }
  const digits = String.raw`\d(?:_?\d)*`
  const numeric = new RegExp(
    String.raw`^[+-]?(?:${digits}(?:\.(?:${digits})?)?|\.${digits})(?:[eE][+-]?${digits})?$`,
  )
  return numeric.test(s) ? Number(s.replaceAll('_', '')) : undefined
}

/**
 * Python's `'{:.2f}'.format(x)`: rounds the exact binary value, and an exact tie rounds to even
 * ("0.125" → "0.12") where `toFixed` rounds up ("0.13"). CoIN's Result.text uses this format.
 */
export function formatPythonFixed(value: number, digits: number): string {
  if (!Number.isFinite(value)) return String(value)
  const exact = Math.abs(value).toFixed(100) // every digit of the binary value (toFixed is exact)
  const [whole = '0', fraction = ''] = exact.split('.')
  const kept = fraction.slice(0, digits)
  const rest = fraction.slice(digits)
  const tie = /^50*$/.test(rest)
  const lastKeptIsOdd = Number((kept || whole).at(-1)) % 2 === 1
  if (tie && !lastKeptIsOdd) return (value < 0 ? '-' : '') + (digits > 0 ? `${whole}.${kept}` : whole)
  return value.toFixed(digits)
}
