/**
 * Locates the first syntax error in a JSON text. `JSON.parse` says *that* a file is broken, but
 * V8's messages only sometimes carry a position ("Unexpected token 'x', "..." is not valid JSON"
 * has none on Node 20) and their wording changes between Node versions. This strict RFC 8259
 * scanner runs only after `JSON.parse` has failed, so its cost never touches valid files.
 */

export interface JsonSyntaxError {
  /** 0-based UTF-16 offset of the offending character (the text's length at end of input). */
  offset: number
  /** What the scanner expected, in words. */
  reason: string
}

class SyntaxFound {
  constructor(readonly error: JsonSyntaxError) {}
}

export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const scanner = new Scanner(text)
  try {
    scanner.skipWhitespace()
    scanner.value()
    scanner.skipWhitespace()
    if (scanner.pos < text.length) scanner.fail('unexpected content after the JSON value')
    return undefined
  } catch (e) {
    if (e instanceof SyntaxFound) return e.error
    throw e
  }
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r'])
const SIMPLE_ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't'])
/** Sticky, so it matches at `lastIndex` without copying the rest of the text. */
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y

class Scanner {
  pos = 0
  constructor(private readonly text: string) {}

  fail(reason: string, at: number = this.pos): never {
    throw new SyntaxFound({ offset: at, reason })
  }

  private peek(): string | undefined {
    return this.text[this.pos]
  }

  private describeHere(): string {
    const c = this.peek()
    return c === undefined ? 'end of input' : `character ${JSON.stringify(c)}`
  }

  skipWhitespace(): void {
    while (this.pos < this.text.length && WHITESPACE.has(this.text[this.pos]!)) this.pos++
  }

  value(): void {
    const c = this.peek()
    if (c === '{') this.object()
    else if (c === '[') this.array()
    else if (c === '"') this.string()
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) this.number()
    else this.literal()
  }

  private literal(): void {
    for (const literal of ['true', 'false', 'null']) {
      if (this.text.startsWith(literal, this.pos)) {
        this.pos += literal.length
        return
      }
    }
    this.fail(`expected a JSON value, found ${this.describeHere()}`)
  }

  private object(): void {
    this.pos++ // {
    this.skipWhitespace()
    if (this.peek() === '}') {
      this.pos++
      return
    }
    for (;;) {
      this.skipWhitespace()
      if (this.peek() !== '"')
        this.fail(`expected a double-quoted property name, found ${this.describeHere()}`)
      this.string()
      this.skipWhitespace()
      if (this.peek() !== ':') this.fail(`expected ':' after property name, found ${this.describeHere()}`)
      this.pos++
      this.skipWhitespace()
      this.value()
      this.skipWhitespace()
      const c = this.peek()
      if (c === '}') {
        this.pos++
        return
      }
      if (c !== ',') this.fail(`expected ',' or '}' after property value, found ${this.describeHere()}`)
      this.pos++
    }
  }

  private array(): void {
    this.pos++ // [
    this.skipWhitespace()
    if (this.peek() === ']') {
      this.pos++
      return
    }
    for (;;) {
      this.skipWhitespace()
      this.value()
      this.skipWhitespace()
      const c = this.peek()
      if (c === ']') {
        this.pos++
        return
      }
      if (c !== ',') this.fail(`expected ',' or ']' after array element, found ${this.describeHere()}`)
      this.pos++
    }
  }

  private string(): void {
    this.pos++ // opening quote
    for (;;) {
      const c = this.peek()
      if (c === undefined) this.fail('unterminated string')
      if (c === '"') {
        this.pos++
        return
      }
      if (c.charCodeAt(0) < 0x20) this.fail('control character in string (escape it, e.g. \\n)')
      if (c === '\\') {
        const e = this.text[this.pos + 1]
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6))) {
            this.fail('bad \\u escape (expected 4 hex digits)')
          }
          this.pos += 6
          continue
        }
        if (e === undefined || !SIMPLE_ESCAPES.has(e)) this.fail('bad escape sequence in string')
        this.pos += 2
        continue
      }
      this.pos++
    }
  }

  private number(): void {
    NUMBER.lastIndex = this.pos
    const match = NUMBER.exec(this.text)
    if (!match) this.fail('invalid number')
    this.pos += match[0].length
    // "01", "1." and "1e" leave a digit, '.' or 'e' right after the longest valid prefix.
    const next = this.peek()
    if (next !== undefined && /[0-9.eE]/.test(next)) this.fail('invalid number')
  }
}
