/**
 * The JavaScript shapes of Iceberg values, shared by transforms, metrics and the Parquet writer:
 * int/date → number; long/time/timestamp* → bigint (numbers accepted on input); float/double →
 * number; string → string; uuid → canonical string; binary/fixed → Uint8Array; decimal → bigint
 * unscaled value; struct → object by field name; list → array; map → Map (or object for string keys).
 */
import { IcebergError } from '../errors.ts'

/** A value of a primitive Iceberg type. */
export type PrimitiveValue = boolean | number | bigint | string | Uint8Array

/** Converts a long-typed input (bigint or integral number) to bigint, rejecting anything else. */
export function toBigInt(value: unknown, what = 'long value'): bigint {
  if (typeof value === 'bigint') return value
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value)
  throw new IcebergError('INVALID_ARGUMENT', `${what} must be an integer, got ${String(value)}`)
}

/** Floor division for bigints (BigInt division truncates toward zero). */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q
}

/** The 16 big-endian bytes of a UUID string. */
export function uuidToBytes(uuid: string): Uint8Array {
  const hex = uuid.replace(/-/g, '')
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new IcebergError('INVALID_ARGUMENT', `invalid uuid ${uuid}`)
  const out = new Uint8Array(16)
  for (let i = 0; i < 16; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return out
}

/** The canonical lowercase string of 16 UUID bytes. */
export function bytesToUuid(bytes: Uint8Array): string {
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** The minimal two's-complement big-endian bytes of an integer (decimal unscaled values). */
export function minBigEndian(value: bigint): Uint8Array {
  const bytes: number[] = []
  let v = value
  do {
    bytes.unshift(Number(BigInt.asUintN(8, v)))
    v >>= 8n
  } while (!((v === 0n && (bytes[0]! & 0x80) === 0) || (v === -1n && (bytes[0]! & 0x80) !== 0)))
  return Uint8Array.from(bytes)
}

/** Reads a two's-complement big-endian integer. */
export function fromBigEndian(bytes: Uint8Array): bigint {
  let v = 0n
  for (const b of bytes) v = (v << 8n) | BigInt(b)
  return bytes.length > 0 ? BigInt.asIntN(bytes.length * 8, v) : 0n
}

/** Days since 1970-01-01 of a calendar date string `YYYY-MM-DD`. */
export function dateToDays(iso: string): number {
  const ms = Date.parse(`${iso}T00:00:00Z`)
  if (Number.isNaN(ms)) throw new IcebergError('INVALID_ARGUMENT', `invalid date ${iso}`)
  return ms / 86_400_000
}

/** `YYYY-MM-DD` of days since 1970-01-01. */
export function daysToDate(days: number): string {
  return new Date(days * 86_400_000).toISOString().slice(0, 10)
}
