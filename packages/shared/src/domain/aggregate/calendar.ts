// Calendar arithmetic on whole days since 1970-01-01 (proleptic Gregorian, no Date objects), so
// window bounds are exact integers and do not depend on the host's time zone.
import { daysFromCivil, MICROS_PER_DAY } from '../timestamps.ts'

/** A calendar date. */
export interface CivilDate {
  readonly year: number
  readonly month: number
  readonly day: number
}

/** The date of a day number (H. Hinnant's `civil_from_days`, the inverse of `daysFromCivil`). */
export function civilFromDays(days: number): CivilDate {
  const z = days + 719_468
  const era = Math.floor(z / 146_097)
  const doe = z - era * 146_097
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  )
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day }
}

/** Whole days since the epoch of an instant (floor, so instants before 1970 work too). */
export function dayNumber(micros: number): number {
  return Math.floor(micros / MICROS_PER_DAY)
}

/** ISO weekday: Monday 1 … Sunday 7. 1970-01-01 was a Thursday. */
export function isoWeekday(days: number): number {
  return ((((days + 3) % 7) + 7) % 7) + 1
}

/** Day number of the Monday that starts the ISO week of `days`. */
export function isoWeekStart(days: number): number {
  return days - (isoWeekday(days) - 1)
}

/**
 * ISO 8601 week-year and week number. The week belongs to the year of its Thursday, so
 * 2026-12-31 (a Thursday) is in 2026-W53 and 2024-12-30 (a Monday) is in 2025-W01.
 */
export function isoWeek(days: number): { readonly weekYear: number; readonly week: number } {
  const thursday = isoWeekStart(days) + 3
  const weekYear = civilFromDays(thursday).year
  const week = Math.floor((thursday - daysFromCivil(weekYear, 1, 1)) / 7) + 1
  return { weekYear, week }
}

/** Day number of the first day of the month after (year, month). */
export function nextMonthStart(year: number, month: number): number {
  return month === 12 ? daysFromCivil(year + 1, 1, 1) : daysFromCivil(year, month + 1, 1)
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0')

/** `2026-03-29` */
export function dateLabel(date: CivilDate): string {
  return `${pad(date.year, 4)}-${pad(date.month)}-${pad(date.day)}`
}

/** `2026-W13` */
export function weekLabel(weekYear: number, week: number): string {
  return `${pad(weekYear, 4)}-W${pad(week)}`
}

/** `2026-03` */
export function monthLabel(year: number, month: number): string {
  return `${pad(year, 4)}-${pad(month)}`
}
