/**
 * Canonical JSON: object keys sorted, no whitespace, -0 written as 0. Two values that mean the
 * same thing serialise to the same bytes, so params written in a different key order or with
 * `1.0` instead of `1` give the same cache key.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

export function canonicalJson(value: unknown): string {
  try {
    return write(value)
  } catch {
    // Only now build the path of the offending value: the hot path keeps no path strings.
    return write(value, '')
  }
}

/** `path` is undefined on the fast path; given, it names the value in the error message. */
function write(value: unknown, path?: string): string {
  if (value === null) return 'null'
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false'
    case 'number':
      if (!Number.isFinite(value))
        throw new TypeError(`${path || 'value'} is ${value}, which JSON cannot hold`)
      return Object.is(value, -0) ? '0' : JSON.stringify(value)
    case 'string':
      return JSON.stringify(value)
    case 'object': {
      if (Array.isArray(value))
        return `[${value.map((v, i) => write(v, path === undefined ? undefined : `${path}[${i}]`)).join(',')}]`
      const keys = Object.keys(value as object)
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .sort()
      const parts = keys.map(
        (k) =>
          `${JSON.stringify(k)}:${write((value as Record<string, unknown>)[k], path ? `${path}.${k}` : k)}`,
      )
      return `{${parts.join(',')}}`
    }
    default:
      if (path === undefined) throw new TypeError('')
      throw new TypeError(`${path || 'value'} is a ${typeof value}, which is not a JSON value`)
  }
}

/** True when `value` is plain JSON (what params must be). Returns the offending path otherwise. */
export function findNonJson(value: unknown, path = ''): string | undefined {
  try {
    write(value, path)
    return undefined
  } catch (err) {
    return (err as Error).message
  }
}
