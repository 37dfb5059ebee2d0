/**
 * JSON that keeps 64-bit integers exact. Iceberg snapshot ids are random positive longs, most of
 * them above 2^53, where `JSON.parse` silently rounds. Integers outside the safe range parse to
 * `bigint`; everything else parses as `JSON.parse` would. `stringifyJson` writes bigints as plain
 * JSON integers.
 */
import { IcebergError } from '../errors.ts'

/** A parsed JSON value; integers beyond ±(2^53 − 1) are `bigint`. */
export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | JsonObject

/** A parsed JSON object. */
export interface JsonObject {
  [key: string]: JsonValue
}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y
// Loose on purpose: JSON.parse of the matched slice rejects control characters and bad escapes.
const STRING = /"(?:[^"\\]|\\.)*"/y
const WHITESPACE = /[ \t\n\r]*/y

/** Parses JSON text; integers that do not fit a double exactly become `bigint`. */
export function parseJson(text: string): JsonValue {
  const parser = new Parser(text)
  const value = parser.value()
  parser.skipWhitespace()
  if (parser.pos !== text.length) parser.fail('unexpected trailing characters')
  return value
}

class Parser {
  readonly text: string
  pos = 0

  constructor(text: string) {
    this.text = text
  }

  fail(message: string): never {
    throw new IcebergError('INVALID_METADATA', `invalid JSON at offset ${this.pos}: ${message}`)
  }

  skipWhitespace(): void {
    WHITESPACE.lastIndex = this.pos
    WHITESPACE.exec(this.text)
    this.pos = WHITESPACE.lastIndex
  }

  value(): JsonValue {
    this.skipWhitespace()
    const c = this.text[this.pos]
    if (c === '{') return this.object()
    if (c === '[') return this.array()
    if (c === '"') return this.string()
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number()
    for (const [word, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length
        return v
      }
    }
    return this.fail(c === undefined ? 'unexpected end' : `unexpected character ${JSON.stringify(c)}`)
  }

  number(): number | bigint {
    NUMBER.lastIndex = this.pos
    const m = NUMBER.exec(this.text)
    if (!m) return this.fail('malformed number')
    this.pos = NUMBER.lastIndex
    const n = Number(m[0])
    if (m[1] === undefined && m[2] === undefined && !Number.isSafeInteger(n)) return BigInt(m[0])
    return n
  }

  string(): string {
    STRING.lastIndex = this.pos
    const m = STRING.exec(this.text)
    if (!m) return this.fail('malformed string')
    this.pos = STRING.lastIndex
    try {
      return JSON.parse(m[0]) as string
    } catch (cause) {
      throw new IcebergError('INVALID_METADATA', `invalid JSON string at offset ${m.index}`, { cause })
    }
  }

  expect(c: string): void {
    this.skipWhitespace()
    if (this.text[this.pos] !== c) this.fail(`expected ${JSON.stringify(c)}`)
    this.pos++
  }

  /** Consumes `close` or a comma; returns true at the end of the container. */
  endOrComma(close: string): boolean {
    this.skipWhitespace()
    const c = this.text[this.pos++]
    if (c === close) return true
    if (c !== ',') this.fail(`expected "," or ${JSON.stringify(close)}`)
    return false
  }

  array(): JsonValue[] {
    this.pos++
    const out: JsonValue[] = []
    this.skipWhitespace()
    if (this.text[this.pos] === ']') {
      this.pos++
      return out
    }
    do out.push(this.value())
    while (!this.endOrComma(']'))
    return out
  }

  object(): JsonObject {
    this.pos++
    const out: JsonObject = {}
    this.skipWhitespace()
    if (this.text[this.pos] === '}') {
      this.pos++
      return out
    }
    do {
      this.skipWhitespace()
      if (this.text[this.pos] !== '"') this.fail('expected a key')
      const key = this.string()
      this.expect(':')
      // defineProperty keeps a "__proto__" key as data instead of changing the prototype.
      Object.defineProperty(out, key, {
        value: this.value(),
        enumerable: true,
        writable: true,
        configurable: true,
      })
    } while (!this.endOrComma('}'))
    return out
  }
}

/** A value `stringifyJson` accepts: JSON values plus `undefined` members, which are left out. */
export type JsonInput = JsonValue | undefined | readonly JsonInput[] | { readonly [key: string]: JsonInput }

/** Serializes to JSON, writing `bigint` as an integer; `indent` pretty-prints like `JSON.stringify`. */
export function stringifyJson(value: JsonInput, indent = 0): string {
  return write(value, indent > 0 ? ' '.repeat(indent) : '', '')
}

function write(value: JsonInput, unit: string, pad: string): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'bigint') return value.toString()
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new IcebergError('INVALID_ARGUMENT', `cannot write ${value} as JSON`)
    return JSON.stringify(value)
  }
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value)
  const inner = pad + unit
  const sep = unit ? `,\n${inner}` : ','
  const open = unit ? `\n${inner}` : ''
  const close = unit ? `\n${pad}` : ''
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]'
    return `[${open}${value.map((v: JsonInput) => write(v, unit, inner)).join(sep)}${close}]`
  }
  const entries = Object.entries(value as { [key: string]: JsonInput }).filter(([, v]) => v !== undefined)
  if (entries.length === 0) return '{}'
  const colon = unit ? ': ' : ':'
  const body = entries.map(([k, v]) => `${JSON.stringify(k)}${colon}${write(v, unit, inner)}`).join(sep)
  return `{${open}${body}${close}}`
}
