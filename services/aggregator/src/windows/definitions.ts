// Tumbling windows on event time as pure functions of an instant: no state, no clock.
import { civilFromDays, daysFromCivil, MICROS_PER_DAY, type Micros } from '@healthstream/shared/domain'
import {
  dateLabel,
  dayNumber,
  isoWeek,
  isoWeekStart,
  monthLabel,
  nextMonthStart,
  weekLabel,
} from './calendar.ts'
import { canonicalZone, localDay, UTC } from './zones.ts'

/** The window sizes, in the order a sample is assigned to them. */
export const GRANULARITIES = ['daily', 'weekly', 'monthly'] as const
/** A window size: `daily`, `weekly` or `monthly`. */
export type Granularity = (typeof GRANULARITIES)[number]

/** One tumbling window: [start, end) in epoch micros, with the zone its calendar is read in. */
export interface Window {
  readonly granularity: Granularity
  readonly start: Micros
  /** Exclusive. */
  readonly end: Micros
  /** `UTC`, or the canonical IANA zone of a daily window in the user's zone. */
  readonly zone: string
  /** For people: `2026-03-29`, `2026-W13`, `2026-03`. */
  readonly label: string
}

/** Where daily windows start: UTC midnight, or midnight in the sample's own time zone. */
export type DailyZone = 'utc' | 'user'

/**
 * The UTC day of `micros`, or with `zone` the local day in that IANA zone (23 or 25 hours long on
 * daylight-saving days). An unknown zone, or none, falls back to UTC.
 */
export function dailyWindow(micros: Micros, zone?: string | null): Window {
  const canonical = zone ? canonicalZone(zone) : undefined
  if (canonical !== undefined && canonical !== UTC) {
    const day = localDay(micros, canonical)
    if (day !== undefined) {
      return {
        granularity: 'daily',
        start: day.start,
        end: day.end,
        zone: canonical,
        label: dateLabel(day.date),
      }
    }
  }
  const days = dayNumber(micros)
  return {
    granularity: 'daily',
    start: days * MICROS_PER_DAY,
    end: (days + 1) * MICROS_PER_DAY,
    zone: UTC,
    label: dateLabel(civilFromDays(days)),
  }
}

/** The ISO week of `micros`: Monday 00:00 UTC to the next Monday, labelled with its week-year. */
export function weeklyWindow(micros: Micros): Window {
  const monday = isoWeekStart(dayNumber(micros))
  const { weekYear, week } = isoWeek(monday)
  return {
    granularity: 'weekly',
    start: monday * MICROS_PER_DAY,
    end: (monday + 7) * MICROS_PER_DAY,
    zone: UTC,
    label: weekLabel(weekYear, week),
  }
}

/** The calendar month (UTC) of `micros`: 28 to 31 days. */
export function monthlyWindow(micros: Micros): Window {
  const { year, month } = civilFromDays(dayNumber(micros))
  return {
    granularity: 'monthly',
    start: daysFromCivil(year, month, 1) * MICROS_PER_DAY,
    end: nextMonthStart(year, month) * MICROS_PER_DAY,
    zone: UTC,
    label: monthLabel(year, month),
  }
}

/** The three windows an event at `micros` belongs to, in `GRANULARITIES` order. */
export function windowsOf(micros: Micros, dailyZone: DailyZone, timeZone: string | null): readonly Window[] {
  return [
    dailyWindow(micros, dailyZone === 'user' ? timeZone : null),
    weeklyWindow(micros),
    monthlyWindow(micros),
  ]
}

/**
 * Identity of one window of one (user, data type) series. JSON of the parts keeps any user id or type
 * unambiguous, and it reads well in Redis and as the Kafka key of `health-data-aggregates` (the key a
 * compacted topic keeps the newest revision of). The zone is part of it: a user who changes zone can
 * have two daily windows starting at the same instant but of different lengths.
 */
export function windowId(userId: string, dataType: string, window: Window): string {
  return JSON.stringify([userId, dataType, window.granularity, window.start, window.zone])
}
