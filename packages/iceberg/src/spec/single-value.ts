/**
 * Binary single-value serialization (spec Appendix D), used for column bounds in manifests and
 * partition bounds in manifest lists, plus the truncation of string/binary bounds.
 */

import { bytesToUuid, fromBigEndian, type PrimitiveValue, toBigInt, uuidToBytes } from '@healthstream/parquet'
import { IcebergError } from '../errors.ts'
import { truncateString } from '../transforms/transforms.ts'
import type { PrimitiveType } from './types.ts'
import { minBigEndian } from './values.ts'

function fixedWidth(width: number, write: (view: DataView) => void): Uint8Array {
  const out = new Uint8Array(width)
  write(new DataView(out.buffer))
  return out
}

const LONG_TYPES = new Set(['long', 'time', 'timestamp', 'timestamptz', 'timestamp_ns', 'timestamptz_ns'])

/** Serializes one value of a primitive type. */
export function toBytes(type: PrimitiveType, value: PrimitiveValue): Uint8Array {
  if (type === 'boolean') return Uint8Array.of(value ? 1 : 0)
  if (type === 'int' || type === 'date') return fixedWidth(4, (v) => v.setInt32(0, value as number, true))
  if (LONG_TYPES.has(type)) return fixedWidth(8, (v) => v.setBigInt64(0, toBigInt(value), true))
  if (type === 'float') return fixedWidth(4, (v) => v.setFloat32(0, value as number, true))
  if (type === 'double') return fixedWidth(8, (v) => v.setFloat64(0, value as number, true))
  if (type === 'string') return new TextEncoder().encode(value as string)
  if (type === 'uuid') return typeof value === 'string' ? uuidToBytes(value) : (value as Uint8Array)
  if (type.startsWith('decimal')) return minBigEndian(toBigInt(value))
  if (value instanceof Uint8Array) return value
  throw new IcebergError('INVALID_ARGUMENT', `cannot serialize ${String(value)} as ${type}`)
}

/** Deserializes one value of a primitive type. */
export function fromBytes(type: PrimitiveType, bytes: Uint8Array): PrimitiveValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (type === 'boolean') return bytes[0] !== 0
  if (type === 'int' || type === 'date') return view.getInt32(0, true)
  if (LONG_TYPES.has(type)) return view.getBigInt64(0, true)
  if (type === 'float') return view.getFloat32(0, true)
  if (type === 'double') return view.getFloat64(0, true)
  if (type === 'string') return new TextDecoder().decode(bytes)
  if (type === 'uuid') return bytesToUuid(bytes)
  if (type.startsWith('decimal')) return fromBigEndian(bytes)
  return bytes
}

/** Default bound length of the reference implementation's `truncate(16)` metrics mode. */
export const DEFAULT_BOUND_LENGTH = 16

/** A lower bound: the value cut to `length` code points (strings) or bytes (binary). */
export function truncateLower(
  type: PrimitiveType,
  value: PrimitiveValue,
  length = DEFAULT_BOUND_LENGTH,
): PrimitiveValue {
  if (type === 'string') return truncateString(value as string, length)
  if (type === 'binary') return (value as Uint8Array).subarray(0, length)
  return value
}

/**
 * An upper bound: the value cut to `length` and its last code point (byte) incremented, so it stays
 * above every value with that prefix; `undefined` when no such bound exists (then none is written).
 */
export function truncateUpper(
  type: PrimitiveType,
  value: PrimitiveValue,
  length = DEFAULT_BOUND_LENGTH,
): PrimitiveValue | undefined {
  if (type === 'string') {
    const points = Array.from(value as string)
    if (points.length <= length) return value
    const kept = points.slice(0, length)
    for (let i = kept.length - 1; i >= 0; i--) {
      let next = kept[i]!.codePointAt(0)! + 1
      if (next >= 0xd800 && next <= 0xdfff) next = 0xe000
      if (next <= 0x10ffff) return kept.slice(0, i).join('') + String.fromCodePoint(next)
    }
    return undefined
  }
  if (type === 'binary') {
    const bytes = value as Uint8Array
    if (bytes.length <= length) return bytes
    const kept = Uint8Array.from(bytes.subarray(0, length))
    for (let i = kept.length - 1; i >= 0; i--) {
      if (kept[i]! < 0xff) {
        kept[i]! += 1
        return kept.subarray(0, i + 1)
      }
    }
    return undefined
  }
  return value
}
