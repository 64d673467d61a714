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
      // String(n) is JSON's number form for finite numbers; -0 is written as 0 (String(-0) is "0").
      return String(value)
    case 'string':
      return JSON.stringify(value)
    case 'object': {
      if (Array.isArray(value)) {
        let out = '['
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ','
          out += write(value[i], path === undefined ? undefined : `${path}[${i}]`)
        }
        return `${out}]`
      }
      const obj = value as Record<string, unknown>
      const keys = Object.keys(obj).sort()
      let out = '{'
      let first = true
      for (const k of keys) {
        const v = obj[k]
        if (v === undefined) continue
        if (!first) out += ','
        first = false
        out += `${JSON.stringify(k)}:${write(v, path === undefined ? undefined : path ? `${path}.${k}` : k)}`
      }
      return `${out}}`
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
