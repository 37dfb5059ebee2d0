// Local days of IANA time zones, from the runtime's own tz database through Intl.DateTimeFormat (no
// tz library). A local day runs from its first instant to the first instant of the next one, so a
// daylight-saving day is 23 or 25 hours long, and a day whose midnight does not exist (clocks jump at
// 00:00) starts at the first instant that does.
import { type CivilDate, civilFromDays, daysFromCivil, MICROS_PER_SECOND } from '@healthstream/shared/domain'
import { ZONE_LINKS } from './zone-links.ts'

/** The zone every window uses unless a daily window is in the user's own zone. */
export const UTC = 'UTC'

/** A local day in a zone: its date and its bounds in epoch micros, end exclusive. */
export interface LocalDay {
  readonly date: CivilDate
  readonly start: number
  readonly end: number
}

const SECONDS_PER_DAY = 86_400
// A day's first instant lies within UTC midnight −14 h … +12 h (today's offsets), or up to a day
// later when a zone skipped a whole date (Pacific/Apia skipped 2011-12-30); these bounds hold both.
const SEARCH_BEFORE = 15 * 3600
const SEARCH_AFTER = 37 * 3600
// Caches are bounded so garbage zone names or far-flung dates cannot grow memory without limit.
const MAX_CACHED = 50_000

const formatters = new Map<string, Intl.DateTimeFormat | null>()
const canonicalNames = new Map<string, string | undefined>()
const dayStarts = new Map<string, number>()
// The day last returned per zone: a user's samples mostly fall in the same day, which then costs no
// formatter call at all.
const lastDays = new Map<string, LocalDay>()

/**
 * The canonical name of an IANA zone (`europe/berlin` → `Europe/Berlin`, `Asia/Calcutta` →
 * `Asia/Kolkata`, `Etc/UTC` → `UTC`), or undefined when the runtime does not know it. Canonical names
 * keep one window per zone, whichever spelling a device sends and whichever runtime runs the
 * aggregator: the runtime's own answer is mapped through the database's links (zone-links.ts).
 */
export function canonicalZone(zone: string): string | undefined {
  if (canonicalNames.has(zone)) return canonicalNames.get(zone)
  // The link first: a runtime may resolve an old name to a zone of its own (ICU: Africa/Timbuktu →
  // Africa/Bamako, where the database links it to Africa/Abidjan)
  const linked = LINKS_BY_LOWER_CASE.get(zone.toLowerCase()) ?? zone
  const resolved = formatter(linked)?.resolvedOptions().timeZone
  const name = resolved === undefined ? undefined : currentName(resolved)
  if (canonicalNames.size >= MAX_CACHED) canonicalNames.clear()
  canonicalNames.set(zone, name)
  return name
}

/**
 * The local day of `micros` in `zone`, or undefined when the zone is unknown or the instant is not
 * inside the day computed for its date (only where clocks fall back across midnight, as in some
 * historical Newfoundland rules; the caller falls back to UTC, deterministically).
 */
export function localDay(micros: number, zone: string): LocalDay | undefined {
  const last = lastDays.get(zone)
  if (last !== undefined && micros >= last.start && micros < last.end) return last
  const f = formatter(zone)
  if (f === undefined || f === null) return undefined
  const days = localDayNumber(f, Math.floor(micros / 1000))
  const start = firstSecondOf(f, zone, days) * MICROS_PER_SECOND
  const end = firstSecondOf(f, zone, days + 1) * MICROS_PER_SECOND
  if (micros < start || micros >= end) return undefined
  const day = { date: civilFromDays(days), start, end }
  if (lastDays.size >= MAX_CACHED) lastDays.clear()
  lastDays.set(zone, day)
  return day
}

const LINKS_BY_LOWER_CASE = new Map(
  Object.entries(ZONE_LINKS).map(([link, zone]) => [link.toLowerCase(), zone]),
)

/**
 * A zone's current IANA name; `UTC` for every spelling of UTC and of GMT (ICU names Etc/GMT `UTC`;
 * the days are the same), the windows' default zone.
 */
function currentName(name: string): string {
  const zone = ZONE_LINKS[name] ?? name
  return zone === 'Etc/UTC' || zone === 'Etc/GMT' ? UTC : zone
}

function formatter(zone: string): Intl.DateTimeFormat | null | undefined {
  let f = formatters.get(zone)
  if (f !== undefined) return f
  try {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
    })
  } catch {
    f = null // RangeError: not a zone this runtime knows
  }
  if (formatters.size >= MAX_CACHED) formatters.clear()
  formatters.set(zone, f)
  return f
}

/** Day number of the local date at epoch milliseconds `ms`. */
function localDayNumber(f: Intl.DateTimeFormat, ms: number): number {
  let year = 0
  let month = 0
  let day = 0
  for (const part of f.formatToParts(ms)) {
    if (part.type === 'year') year = Number(part.value)
    else if (part.type === 'month') month = Number(part.value)
    else if (part.type === 'day') day = Number(part.value)
  }
  return daysFromCivil(year, month, day)
}

/**
 * Epoch second of the first instant whose local date is `days` or later: a bisection over whole
 * seconds (tz transitions fall on whole seconds), memoised per zone and date, so each local day costs
 * about 18 formatter calls once per process.
 */
function firstSecondOf(f: Intl.DateTimeFormat, zone: string, days: number): number {
  const key = `${zone}|${days}`
  const cached = dayStarts.get(key)
  if (cached !== undefined) return cached
  let lo = days * SECONDS_PER_DAY - SEARCH_BEFORE // local date before `days`
  let hi = days * SECONDS_PER_DAY + SEARCH_AFTER // local date `days` or later
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2)
    if (localDayNumber(f, mid * 1000) >= days) hi = mid
    else lo = mid
  }
  if (dayStarts.size >= MAX_CACHED) dayStarts.clear()
  dayStarts.set(key, hi)
  return hi
}
