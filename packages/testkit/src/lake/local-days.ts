/**
 * Calendar days of IANA time zones, computed here for the tests' own recomputation of the daily
 * windows, apart from the aggregator's code: the zone's UTC offset read from Intl.DateTimeFormat,
 * local midnight found as "the wall-clock midnight minus the offset that holds there". A day is 23 or
 * 25 hours on a daylight-saving change; all times are epoch microseconds, end exclusive.
 */

const MS = 1000
const HOUR_MS = 3_600_000

const formatters = new Map<string, Intl.DateTimeFormat | null>()
const names = new Map<string, string | undefined>()
// Bounds per zone and local date: a run's samples fall on few days, each worth ~10 Intl calls
const days = new Map<string, LocalDay>()

function formatter(zone: string): Intl.DateTimeFormat | null {
  let f = formatters.get(zone)
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      })
    } catch {
      f = null // not a zone this runtime knows
    }
    formatters.set(zone, f)
  }
  return f
}

/**
 * The name the runtime gives `zone` (`europe/berlin` → `Europe/Berlin`; Node's ICU says
 * `Asia/Calcutta` for `Asia/Kolkata`), or undefined for a zone it does not know.
 */
export function zoneName(zone: string): string | undefined {
  if (!names.has(zone)) names.set(zone, formatter(zone)?.resolvedOptions().timeZone)
  return names.get(zone)
}

/** The wall clock of `ms` in `zone`, read as if it were UTC (epoch ms, whole seconds). */
function wallClock(f: Intl.DateTimeFormat, ms: number): number {
  const p = Object.fromEntries(f.formatToParts(ms).map((part) => [part.type, Number(part.value)]))
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!)
}

/** The zone's UTC offset at `ms`, in ms (Berlin in summer: 2 h). */
export function offsetAt(zone: string, ms: number): number {
  const f = formatter(zone)
  if (f === null) throw new RangeError(`unknown time zone ${zone}`)
  const whole = Math.floor(ms / MS) * MS
  return wallClock(f, whole) - whole
}

/**
 * The first instant of the local date whose midnight, read as UTC, is `midnight`: the midnight minus
 * the offset before or after it, whichever gives back that wall clock (the earlier when both do, as
 * when a zone falls back at midnight); when the zone skips its midnight, the moment it skips from.
 */
function firstInstant(zone: string, f: Intl.DateTimeFormat, midnight: number): number {
  const offsets = [offsetAt(zone, midnight - 36 * HOUR_MS), offsetAt(zone, midnight + 36 * HOUR_MS)]
  const candidates = offsets.map((o) => midnight - o).filter((t) => wallClock(f, t) === midnight)
  if (candidates.length > 0) return Math.min(...candidates)
  const skip = midnight - offsets[0]!
  if (wallClock(f, skip) > midnight && wallClock(f, skip) - midnight < 24 * HOUR_MS) return skip
  throw new RangeError(`no start found for ${new Date(midnight).toISOString().slice(0, 10)} in ${zone}`)
}

/** A local calendar day: `YYYY-MM-DD` and its bounds in epoch micros. */
export interface LocalDay {
  readonly date: string
  readonly start: number
  readonly end: number
}

/**
 * The local day of `micros` in `zone`. Throws for a zone the runtime does not know, and where a
 * day is not one span of time: a date skipped whole (Pacific/Apia, 2011-12-30) or clocks falling back
 * across midnight (St. John's 00:01 rule until 2011; the aggregator counts such instants on UTC days).
 */
export function localDay(micros: number, zone: string): LocalDay {
  const f = formatter(zone)
  if (f === null) throw new RangeError(`unknown time zone ${zone}`)
  const wall = wallClock(f, Math.floor(micros / 1000 / MS) * MS)
  const midnight = Math.floor(wall / (24 * HOUR_MS)) * 24 * HOUR_MS
  const key = `${zone}|${midnight}`
  let day = days.get(key)
  if (day === undefined) {
    day = {
      date: new Date(midnight).toISOString().slice(0, 10),
      start: firstInstant(zone, f, midnight) * 1000,
      end: firstInstant(zone, f, midnight + 24 * HOUR_MS) * 1000,
    }
    if (days.size > 100_000) days.clear()
    days.set(key, day)
  }
  if (micros < day.start || micros >= day.end)
    throw new RangeError(`${zone} falls back across midnight at ${new Date(micros / 1000).toISOString()}`)
  return day
}
