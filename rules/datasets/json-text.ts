import { readFile } from 'node:fs/promises'
import { UserError } from '../../src/errors.ts'
import { findJsonSyntaxError } from './json-syntax.ts'

/**
 * Reading data files as text and turning JSON syntax errors into diagnostics with a line and a
 * column. Everything here is about *where* in a file something is; what records must look like
 * lives in schemas.ts.
 */

/** Reads a UTF-8 data file; a missing or unreadable file is a user error, not a crash. */
export async function readDataFile(file: string): Promise<string> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    throw new UserError({
      message:
        code === 'ENOENT' ? `${file}: file not found` : `${file}: cannot read file (${code ?? String(e)})`,
      file,
      fix:
        code === 'EISDIR'
          ? 'point at the JSON file inside that folder, not the folder'
          : 'check the path (relative paths are resolved from the current directory)',
    })
  }
  // Editors on Windows like to prepend a byte-order mark; JSON.parse rejects it.
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
}

/** Maps UTF-16 offsets to 1-based lines and columns; built once per file, queried by binary search. */
export function lineIndex(text: string): (offset: number) => { line: number; column: number } {
  const lineStarts = [0]
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1)
  return (offset) => {
    let lo = 0
    let hi = lineStarts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (lineStarts[mid]! <= offset) lo = mid
      else hi = mid - 1
    }
    return { line: lo + 1, column: offset - lineStarts[lo]! + 1 }
  }
}

/**
 * Where a JSON text stops being valid: the scanner's position and reason when it finds one, else
 * V8's own message (they should never disagree, but a diagnostic without a line beats a crash).
 */
export function describeJsonSyntaxError(
  text: string,
  parseError: unknown,
): { line?: number; column?: number; reason: string } {
  const found = findJsonSyntaxError(text)
  if (!found) return { reason: parseError instanceof Error ? parseError.message : String(parseError) }
  return { ...lineIndex(text)(found.offset), reason: found.reason }
}

/** Parses a whole-file JSON document; a syntax error becomes a UserError naming line and column. */
export function parseJsonDocument(text: string, file: string, fix: string): unknown {
  try {
    return JSON.parse(text)
  } catch (e) {
    const where = describeJsonSyntaxError(text, e)
    const at = where.line === undefined ? '' : ` at line ${where.line}, column ${where.column}`
    const looksLikeJsonl =
      where.reason.startsWith('unexpected content after the JSON value') && text.trimStart().startsWith('{')
    throw new UserError({
      message: `${file}: invalid JSON${at}: ${where.reason}`,
      file,
      line: where.line,
      fix: looksLikeJsonl
        ? 'this looks like JSONL (one object per line); this file must be one JSON array: [{...}, {...}]'
        : fix,
    })
  }
}

/**
 * Offsets of the elements of a top-level JSON array, so a problem in record 12 can name the line
 * record 12 starts on. Assumes `text` is valid JSON (it runs after JSON.parse succeeded); it only
 * tracks strings and nesting depth.
 */
export function topLevelElementOffsets(text: string): number[] {
  const offsets: number[] = []
  let depth = 0
  let expectingElement = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (c === ' ' || c === '\n' || c === '\r' || c === '\t') continue
    if (depth === 1 && expectingElement && c !== ']') {
      offsets.push(i)
      expectingElement = false
    }
    if (c === '"') {
      i = endOfString(text, i)
    } else if (c === '[' || c === '{') {
      depth++
      if (depth === 1) expectingElement = true
    } else if (c === ']' || c === '}') {
      depth--
    } else if (c === ',' && depth === 1) {
      expectingElement = true
    }
  }
  return offsets
}

/** Index of the closing quote of the string that opens at `start`. */
function endOfString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i]
    if (c === '\\') i++
    else if (c === '"') return i
  }
  return text.length
}
