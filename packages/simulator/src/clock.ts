/** Time-zone offsets and ISO 8601 strings as devices write them. */

const QUARTER_MS = 900_000
const formatters = new Map<string, Intl.DateTimeFormat>()
// Offsets change at whole quarter hours of UTC (Adelaide's DST at 16:30Z, St John's at 05:30Z), so
// one Intl lookup per zone and quarter hour serves every sample in it.
const offsetCache = new Map<string, number>()

/** UTC offset of `zone` at `epochMs`, in minutes (Europe/Berlin in winter: 60). */
export function offsetMinutes(zone: string, epochMs: number): number {
  const quarter = Math.floor(epochMs / QUARTER_MS)
  const key = `${zone}@${quarter}`
  let offset = offsetCache.get(key)
  if (offset === undefined) {
    offset = computeOffset(zone, quarter * QUARTER_MS)
    if (offsetCache.size > 100_000) offsetCache.clear()
    offsetCache.set(key, offset)
  }
  return offset
}

function computeOffset(zone: string, epochMs: number): number {
  let formatter = formatters.get(zone)
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
    formatters.set(zone, formatter)
  }
  const name = formatter.formatToParts(epochMs).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT'
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name)
  if (!match) return 0
  const minutes = Number(match[2]) * 60 + Number(match[3])
  return match[1] === '-' ? -minutes : minutes
}

/** How a device writes times: with or without milliseconds, and `Z` or `+00:00` for UTC. */
export interface TimeStyle {
  readonly millis: boolean
  readonly utcAsZ: boolean
}

/** `epochMs` as ISO 8601 in the local time of `zone` with its offset, e.g. `2026-11-25T08:15:30.123+01:00`. */
export function formatLocal(epochMs: number, zone: string, style: TimeStyle): string {
  const offset = offsetMinutes(zone, epochMs)
  const local = new Date(epochMs + offset * 60_000).toISOString()
  const clock = style.millis ? local.slice(0, 23) : local.slice(0, 19)
  return clock + offsetSuffix(offset, style.utcAsZ)
}

/** The same instant without any offset (a classic device bug; ingest must reject it). */
export function formatWithoutOffset(epochMs: number, zone: string): string {
  return new Date(epochMs + offsetMinutes(zone, epochMs) * 60_000).toISOString().slice(0, 23)
}

function offsetSuffix(offset: number, utcAsZ: boolean): string {
  if (offset === 0 && utcAsZ) return 'Z'
  const abs = Math.abs(offset)
  const hh = String(Math.floor(abs / 60)).padStart(2, '0')
  const mm = String(abs % 60).padStart(2, '0')
  return `${offset < 0 ? '-' : '+'}${hh}:${mm}`
}

/** Local calendar day number (days since 1970-01-01 in the zone) and minute of that day. */
export function localDayMinute(epochMs: number, zone: string): { day: number; minute: number } {
  const local = epochMs + offsetMinutes(zone, epochMs) * 60_000
  const day = Math.floor(local / 86_400_000)
  return { day, minute: Math.floor((local - day * 86_400_000) / 60_000) }
}

/** Epoch ms of local `minute` on local `day` in `zone` (using the offset at that moment). */
export function localToEpoch(day: number, minute: number, zone: string): number {
  const guess = day * 86_400_000 + minute * 60_000
  // Two passes settle the offset also right after a DST change.
  const first = guess - offsetMinutes(zone, guess) * 60_000
  return guess - offsetMinutes(zone, first) * 60_000
}
