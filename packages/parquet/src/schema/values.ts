/**
 * Conversions between the JavaScript shapes of values (see `PrimitiveValue`) and what Parquet stores:
 * longs as 64-bit integers, UUIDs as 16 big-endian bytes, decimals as two's-complement bytes.
 */
import { ParquetError } from '../errors.ts'
import type { FieldType, PrimitiveType } from './types.ts'

/** True for primitive types (the ones stored in a single column). */
export function isPrimitive(type: FieldType): type is PrimitiveType {
  return typeof type === 'string'
}

/** The types stored as 64-bit integers. */
export const LONG_TYPES: ReadonlySet<string> = new Set([
  'long',
  'time',
  'timestamp',
  'timestamptz',
  'timestamp_ns',
  'timestamptz_ns',
])

/** Converts a long-typed input (bigint or integral number) to bigint, rejecting anything else. */
export function toBigInt(value: unknown, what = 'long value'): bigint {
  if (typeof value === 'bigint') return value
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value)
  throw new ParquetError('INVALID_ARGUMENT', `${what} must be an integer, got ${String(value)}`)
}

/** The 16 big-endian bytes of a UUID string (dashes optional, either case). */
export function uuidToBytes(uuid: string): Uint8Array {
  const hex = uuid.replace(/-/g, '')
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new ParquetError('INVALID_ARGUMENT', `invalid uuid ${uuid}`)
  const out = new Uint8Array(16)
  for (let i = 0; i < 16; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return out
}

/** The canonical lowercase string of 16 UUID bytes. */
export function bytesToUuid(bytes: Uint8Array): string {
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** Reads a two's-complement big-endian integer (a decimal's unscaled value). */
export function fromBigEndian(bytes: Uint8Array): bigint {
  let v = 0n
  for (const b of bytes) v = (v << 8n) | BigInt(b)
  return bytes.length > 0 ? BigInt.asIntN(bytes.length * 8, v) : 0n
}
