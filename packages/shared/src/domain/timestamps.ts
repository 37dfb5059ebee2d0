import { civilFromDays, daysFromCivil } from './civil-date.ts'
import type { Micros } from './records.ts'

export const MICROS_PER_SECOND = 1_000_000
export const MICROS_PER_MINUTE = 60 * MICROS_PER_SECOND
export const MICROS_PER_DAY = 86_400 * MICROS_PER_SECOND

/** Result of `parseIsoTimestamp`: epoch micros and the offset the string was written in. */
export type ParsedTimestamp = { ok: true; micros: Micros; offsetMinutes: number } | { ok: false }

const INVALID: ParsedTimestamp = Object.freeze({ ok: false })

/**
 * The only accepted shape: RFC 3339 / ISO 8601 extended format with a mandatory offset.
 * Fixed-width fields and no nested quantifiers, so matching is linear (no backtracking traps).
 * Offsets beyond ±18:00 (java.time's limit) are rejected when computing.
 */
const ISO_SHAPE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/

const MAX_OFFSET_MINUTES = 18 * 60
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/** Two ASCII digits at `i`, as a number. The shape regex guarantees they are digits. */
function two(s: string, i: number): number {
  return (s.charCodeAt(i) - 48) * 10 + s.charCodeAt(i + 1) - 48
}

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0
}

function daysInMonth(y: number, m: number): number {
  return m === 2 && isLeapYear(y) ? 29 : DAYS_IN_MONTH[m - 1]!
}

/** Micros of the fraction digits in s[from, to): the first 6 digits; digits beyond are truncated. */
function fractionMicros(s: string, from: number, to: number): number {
  let micros = 0
  for (let i = 0; i < 6; i++) {
    micros = micros * 10 + (from + i < to ? s.charCodeAt(from + i) - 48 : 0)
  }
  return micros
}

/** Signed offset minutes of the suffix at `at` ('Z' or ±hh:mm), or NaN when out of range. */
function offsetMinutesAt(s: string, at: number): number {
  if (s.charCodeAt(at) === 90 /* Z */) return 0
  const hours = two(s, at + 1)
  const minutes = two(s, at + 4)
  const total = hours * 60 + minutes
  if (minutes > 59 || total > MAX_OFFSET_MINUTES) return Number.NaN
  // `|| 0` turns the -0 of '-00:00' into 0.
  return (s.charCodeAt(at) === 45 /* - */ ? -total : total) || 0
}

/**
 * Parses `2026-11-25T08:15:30.123+01:00` (or `...Z`) into epoch micros and the offset in minutes.
 * Rejects (`{ ok: false }`) anything else: a missing offset (which `Date.parse` would read as local
 * time), impossible dates (month 13, Feb 30, hour 24/25, second 60), and instants outside the safe
 * integer range of micros (before 1685 or after 2255). Up to 9 fraction digits are accepted;
 * digits beyond the microsecond are truncated, and the fraction is read as integer digits so the
 * result is exact.
 */
export function parseIsoTimestamp(s: unknown): ParsedTimestamp {
  if (typeof s !== 'string' || !ISO_SHAPE.test(s)) return INVALID
  const year = two(s, 0) * 100 + two(s, 2)
  const month = two(s, 5)
  const day = two(s, 8)
  const hour = two(s, 11)
  const minute = two(s, 14)
  const second = two(s, 17)
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return INVALID
  if (hour > 23 || minute > 59 || second > 59) return INVALID
  // The shape fixes where things are: the offset is a final 'Z' or the last 6 characters, and a
  // fraction, when present, runs from index 20 up to the offset.
  const offsetAt = s.charCodeAt(s.length - 1) === 90 /* Z */ ? s.length - 1 : s.length - 6
  const offsetMinutes = offsetMinutesAt(s, offsetAt)
  if (Number.isNaN(offsetMinutes)) return INVALID
  const fraction = offsetAt > 20 ? fractionMicros(s, 20, offsetAt) : 0
  const seconds = daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second
  const micros = (seconds - offsetMinutes * 60) * MICROS_PER_SECOND + fraction
  if (!Number.isSafeInteger(micros)) return INVALID
  return { ok: true, micros, offsetMinutes }
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0')
}

function formatFraction(micros: number): string {
  if (micros === 0) return ''
  return micros % 1000 === 0 ? `.${pad(micros / 1000, 3)}` : `.${pad(micros, 6)}`
}

function formatOffset(offsetMinutes: number): string {
  if (offsetMinutes === 0) return 'Z'
  const abs = Math.abs(offsetMinutes)
  return `${offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60), 2)}:${pad(abs % 60, 2)}`
}

/**
 * Formats epoch micros as ISO 8601 in the given offset: the inverse of `parseIsoTimestamp`
 * (fraction omitted when zero, 3 digits when whole milliseconds, else 6). Throws a RangeError for a
 * non-integer instant, an offset beyond ±18:00 or a local year outside 0000-9999.
 */
export function formatIsoTimestamp(micros: Micros, offsetMinutes = 0): string {
  if (!Number.isSafeInteger(micros)) throw new RangeError(`micros must be a safe integer, got ${micros}`)
  if (!Number.isInteger(offsetMinutes) || Math.abs(offsetMinutes) > MAX_OFFSET_MINUTES) {
    throw new RangeError(
      `offsetMinutes must be an integer within ±${MAX_OFFSET_MINUTES}, got ${offsetMinutes}`,
    )
  }
  const local = micros + offsetMinutes * MICROS_PER_MINUTE
  const days = Math.floor(local / MICROS_PER_DAY)
  const ofDay = local - days * MICROS_PER_DAY
  const { year, month, day } = civilFromDays(days)
  if (year < 0 || year > 9999) throw new RangeError(`year ${year} cannot be written in ISO 8601 basic form`)
  const secs = Math.floor(ofDay / MICROS_PER_SECOND)
  const time = `${pad(Math.floor(secs / 3600), 2)}:${pad(Math.floor(secs / 60) % 60, 2)}:${pad(secs % 60, 2)}`
  const date = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`
  return `${date}T${time}${formatFraction(ofDay % MICROS_PER_SECOND)}${formatOffset(offsetMinutes)}`
}
