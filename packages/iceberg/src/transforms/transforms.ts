/**
 * Partition transforms (identity, bucket[N], truncate[W], year, month, day, hour, void): parsing,
 * result types, application to values, and the human strings used in partition paths.
 */

import { type PrimitiveValue, toBigInt, uuidToBytes } from '@healthstream/parquet'
import { IcebergError } from '../errors.ts'
import type { PrimitiveType } from '../spec/types.ts'
import { floorDiv, minBigEndian } from '../spec/values.ts'
import { murmur3Hash32, murmur3HashLong } from './murmur3.ts'

/** A parsed transform. */
export type Transform =
  | { readonly kind: 'identity' | 'year' | 'month' | 'day' | 'hour' | 'void' }
  | { readonly kind: 'bucket'; readonly n: number }
  | { readonly kind: 'truncate'; readonly width: number }

const PARAM = /^(bucket|truncate)\[\s*(\d+)\s*\]$/
const SIMPLE = new Set(['identity', 'year', 'month', 'day', 'hour', 'void'])

/** Parses a transform string such as `bucket[16]`; unknown transforms are rejected (writers must not use them). */
export function parseTransform(text: string): Transform {
  if (SIMPLE.has(text)) return { kind: text as 'identity' }
  const m = PARAM.exec(text)
  const param = Number(m?.[2])
  if (!m || !(param > 0))
    throw new IcebergError('UNSUPPORTED', `unknown or invalid transform ${JSON.stringify(text)}`)
  return m[1] === 'bucket' ? { kind: 'bucket', n: param } : { kind: 'truncate', width: param }
}

/** The canonical string of a transform. */
export function transformToString(t: Transform): string {
  if (t.kind === 'bucket') return `bucket[${t.n}]`
  if (t.kind === 'truncate') return `truncate[${t.width}]`
  return t.kind
}

const TEMPORAL = new Set(['date', 'timestamp', 'timestamptz', 'timestamp_ns', 'timestamptz_ns'])
const TIMESTAMPS = new Set(['timestamp', 'timestamptz', 'timestamp_ns', 'timestamptz_ns'])

/** The type of the partition value a transform produces from a source type; rejects invalid pairs. */
export function transformResultType(t: Transform, source: PrimitiveType): PrimitiveType {
  const bad = (): never => {
    throw new IcebergError('INVALID_ARGUMENT', `transform ${transformToString(t)} cannot apply to ${source}`)
  }
  switch (t.kind) {
    case 'identity':
    case 'void':
      return source
    case 'bucket':
      return source === 'boolean' || source === 'float' || source === 'double' ? bad() : 'int'
    case 'truncate':
      return ['int', 'long', 'string', 'binary'].includes(source) || source.startsWith('decimal')
        ? source
        : bad()
    case 'day':
      return TEMPORAL.has(source) ? 'date' : bad()
    case 'hour':
      return TIMESTAMPS.has(source) ? 'int' : bad()
    default:
      return TEMPORAL.has(source) ? 'int' : bad()
  }
}

const MICROS_PER_HOUR = 3_600_000_000n
const MICROS_PER_DAY = 86_400_000_000n

/** Microseconds since epoch of a timestamp value (nanosecond types are floored to micros). */
function micros(type: PrimitiveType, value: PrimitiveValue): bigint {
  const v = toBigInt(value, `${type} value`)
  return type.endsWith('_ns') ? floorDiv(v, 1000n) : v
}

/** Days since epoch of a date or timestamp value. */
function days(type: PrimitiveType, value: PrimitiveValue): number {
  if (type === 'date') return value as number
  return Number(floorDiv(micros(type, value), MICROS_PER_DAY))
}

/** Applies a transform; `null`/`undefined` in gives `null` out. */
export function applyTransform(
  t: Transform,
  source: PrimitiveType,
  value: PrimitiveValue | null | undefined,
): PrimitiveValue | null {
  if (value === null || value === undefined || t.kind === 'void') return null
  switch (t.kind) {
    case 'identity':
      // A float partition value is a float: the same whether computed from a row or read back from a manifest
      return source === 'float' && typeof value === 'number' ? Math.fround(value) : value
    case 'bucket':
      return (bucketHash(source, value) & 0x7fffffff) % t.n
    case 'truncate':
      return truncateValue(source, value, t.width)
    case 'hour':
      return Number(floorDiv(micros(source, value), MICROS_PER_HOUR))
    case 'day':
      return days(source, value)
  }
  const date = new Date(days(source, value) * 86_400_000)
  const years = date.getUTCFullYear() - 1970
  return t.kind === 'year' ? years : years * 12 + date.getUTCMonth()
}

/** The spec's 32-bit hash of a value (Appendix B). */
export function bucketHash(type: PrimitiveType, value: PrimitiveValue): number {
  if (type === 'int' || type === 'date' || type === 'long' || type === 'time') {
    return murmur3HashLong(toBigInt(value))
  }
  if (TIMESTAMPS.has(type)) return murmur3HashLong(micros(type, value))
  if (type === 'string') return murmur3Hash32(new TextEncoder().encode(value as string))
  if (type === 'uuid')
    return murmur3Hash32(typeof value === 'string' ? uuidToBytes(value) : (value as Uint8Array))
  if (type.startsWith('decimal')) return murmur3Hash32(minBigEndian(toBigInt(value)))
  if (value instanceof Uint8Array) return murmur3Hash32(value)
  throw new IcebergError('INVALID_ARGUMENT', `cannot bucket a ${type} value`)
}

function truncateValue(type: PrimitiveType, value: PrimitiveValue, width: number): PrimitiveValue {
  if (type === 'int') {
    const v = value as number
    return v - (((v % width) + width) % width)
  }
  if (type === 'long' || type.startsWith('decimal')) {
    const v = toBigInt(value)
    const w = BigInt(width)
    return v - (((v % w) + w) % w)
  }
  if (type === 'string') return truncateString(value as string, width)
  return (value as Uint8Array).subarray(0, width)
}

/** The first `length` code points of a string (never splits a surrogate pair). */
export function truncateString(value: string, length: number): string {
  let count = 0
  let end = 0
  for (const ch of value) {
    if (count === length) break
    end += ch.length
    count++
  }
  return value.slice(0, end)
}
