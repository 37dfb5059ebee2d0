/**
 * The JavaScript shapes of Iceberg values, shared by transforms, metrics and the Parquet writer:
 * int/date → number; long/time/timestamp* → bigint (numbers accepted on input); float/double →
 * number; string → string; uuid → canonical string; binary/fixed → Uint8Array; decimal → bigint
 * unscaled value; struct → object by field name; list → array; map → Map (or object for string keys).
 */
import { IcebergError } from '../errors.ts'

// `PrimitiveValue` and the conversions the Parquet writer needs as well (`toBigInt`, `uuidToBytes`,
// `bytesToUuid`, `fromBigEndian`) live in @healthstream/parquet; their errors are ParquetErrors with
// the same INVALID_ARGUMENT code.

/** Floor division for bigints (BigInt division truncates toward zero). */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q
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
