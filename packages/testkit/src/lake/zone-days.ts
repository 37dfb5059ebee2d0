/**
 * What the daily table says about its days, per zone: a summary the user-zone tests assert on and the
 * chaos report prints. Read from the rows alone (window_end − window_start, the UTC time of day the
 * windows start), so it shows what the aggregator wrote, not what the recomputation expects.
 */
import { localDay } from './local-days.ts'
import type { Row } from './reader.ts'

const HOUR = 3_600_000_000 // micros

/** The daily rows of one zone. */
export interface ZoneDays {
  readonly rows: number
  /** Local dates whose window is not 24 hours long, with its length in hours (`2026-03-29: 23`). */
  readonly lengths: Record<string, number>
  /** The distinct UTC times of day the windows start at (`18:30` for Kolkata), sorted. */
  readonly startsAt: readonly string[]
}

/** Per zone of the daily rows (as the rows name it): their number, the odd-length days, the start times. */
export function zoneDays(rows: readonly Row[]): Record<string, ZoneDays> {
  const byZone = new Map<string, { rows: number; lengths: Record<string, number>; starts: Set<string> }>()
  for (const r of rows) {
    const zone = String(r.zone)
    const z = byZone.get(zone) ?? { rows: 0, lengths: {}, starts: new Set<string>() }
    byZone.set(zone, z)
    const start = Number(r.window_start)
    const hours = (Number(r.window_end) - start) / HOUR
    z.rows++
    z.starts.add(new Date(start / 1000).toISOString().slice(11, 16))
    if (hours !== 24) z.lengths[localDay(start, zone).date] = hours
  }
  return Object.fromEntries(
    [...byZone]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([zone, z]) => {
        const lengths = Object.fromEntries(Object.entries(z.lengths).sort(([a], [b]) => a.localeCompare(b)))
        return [zone, { rows: z.rows, lengths, startsAt: [...z.starts].sort() }]
      }),
  )
}
