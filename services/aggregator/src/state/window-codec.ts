// The stored form of a window state in Redis: compact JSON led by a format number, so a later format
// can be told apart; a reader refuses a format it does not know rather than guess at it.
import type { TimedValue } from '../windows/stats.ts'
import type { WindowState } from '../windows/store.ts'

/** Compact JSON of a window state (numbers round-trip exactly through JSON). */
export function encodeWindowState(state: WindowState): string {
  const { stats: s, window: w } = state
  return JSON.stringify([
    1, // format version
    state.userId,
    state.dataType,
    state.unit,
    [w.granularity, w.start, w.end, w.zone, w.label],
    [s.count, s.sum, s.min, s.max, s.mean, s.m2, point(s.first), point(s.last)],
    state.fired ? 1 : 0,
    state.final ? 1 : 0,
    state.revision,
    state.updatedAt,
  ])
}

/** Inverse of `encodeWindowState`; the id is recomputed by the caller's key. */
export function decodeWindowState(id: string, json: string): WindowState {
  const [format, userId, dataType, unit, w, s, fired, final, revision, updatedAt] = JSON.parse(json)
  if (format !== 1) throw new Error(`window state ${id} has unknown format ${format}`)
  return {
    id,
    userId,
    dataType,
    unit,
    window: { granularity: w[0], start: w[1], end: w[2], zone: w[3], label: w[4] },
    stats: {
      count: s[0],
      sum: s[1],
      min: s[2],
      max: s[3],
      mean: s[4],
      m2: s[5],
      first: unpoint(s[6]),
      last: unpoint(s[7]),
    },
    fired: fired === 1,
    final: final === 1,
    revision,
    updatedAt,
  }
}

const point = (p: TimedValue | null) => (p === null ? null : [p.time, p.value, p.id])
const unpoint = (p: [number, number, string] | null): TimedValue | null =>
  p === null ? null : { time: p[0], value: p[1], id: p[2] }
