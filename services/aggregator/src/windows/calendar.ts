// Calendar arithmetic on whole days since 1970-01-01 (proleptic Gregorian, no Date objects), so
// window bounds are exact integers and do not depend on the host's time zone. Dates and day numbers
// convert through the shared `civilFromDays` / `daysFromCivil`, the one copy of that algorithm.
import { type CivilDate, civilFromDays, daysFromCivil, MICROS_PER_DAY } from '@healthstream/shared/domain'

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
