/** Human strings of partition values, as the reference implementation puts them in paths. */

import { bytesToUuid, type PrimitiveValue, toBigInt } from '@healthstream/parquet'
import type { Transform } from '../transforms/transforms.ts'
import type { PrimitiveType } from './types.ts'
import { daysToDate, floorDiv } from './values.ts'

const pad = (n: number, width = 2): string => String(n).padStart(width, '0')

/** Year ordinal → `2026`, month ordinal → `2026-11`, hour ordinal → `2026-11-25-13`. */
export function humanYear(ordinal: number): string {
  return pad(1970 + ordinal, 4)
}

export function humanMonth(ordinal: number): string {
  return `${pad(1970 + Math.floor(ordinal / 12), 4)}-${pad((((ordinal % 12) + 12) % 12) + 1)}`
}

export function humanHour(ordinal: number): string {
  const d = new Date(ordinal * 3_600_000)
  return `${d.toISOString().slice(0, 10)}-${pad(d.getUTCHours())}`
}

/** ISO local time of micros since midnight with Java's minimal fraction (`13:00:00`, `13:00:00.5`). */
function isoTime(microsOfDay: bigint, nanosExtra = 0n): string {
  const totalNanos = microsOfDay * 1000n + nanosExtra
  const secs = Number(totalNanos / 1_000_000_000n)
  const frac = (totalNanos % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '')
  const hms = `${pad(Math.floor(secs / 3600))}:${pad(Math.floor(secs / 60) % 60)}:${pad(secs % 60)}`
  return frac ? `${hms}.${frac}` : hms
}

function isoTimestamp(value: bigint, nanos: boolean, zone: boolean): string {
  const unitsPerDay = nanos ? 86_400_000_000_000n : 86_400_000_000n
  const day = floorDiv(value, unitsPerDay)
  const rest = value - day * unitsPerDay
  const time = nanos ? isoTime(rest / 1000n, rest % 1000n) : isoTime(rest)
  return `${daysToDate(Number(day))}T${time}${zone ? 'Z' : ''}`
}

/** The human string of a (transformed) partition value; `null` gives `"null"`. */
export function humanString(t: Transform, type: PrimitiveType, value: PrimitiveValue | null): string {
  if (value === null) return 'null'
  if (t.kind === 'year') return humanYear(value as number)
  if (t.kind === 'month') return humanMonth(value as number)
  if (t.kind === 'hour') return humanHour(value as number)
  if (type === 'date') return daysToDate(value as number)
  if (type === 'time') return isoTime(toBigInt(value))
  if (type.startsWith('timestamp'))
    return isoTimestamp(toBigInt(value), type.endsWith('_ns'), type.includes('tz'))
  if (type === 'uuid') return typeof value === 'string' ? value : bytesToUuid(value as Uint8Array)
  if (value instanceof Uint8Array) return btoa(String.fromCharCode(...value))
  if (type.startsWith('decimal'))
    return decimalString(toBigInt(value), Number(/,(\d+)\)/.exec(type)?.[1] ?? 0))
  return String(value)
}

function decimalString(unscaled: bigint, scale: number): string {
  if (scale === 0) return unscaled.toString()
  const neg = unscaled < 0n
  const digits = (neg ? -unscaled : unscaled).toString().padStart(scale + 1, '0')
  return `${neg ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`
}
