/**
 * What the lake must hold after the whole chain processed a simulator run, checked against the
 * simulator's ground truth with an aggregation computed here, independently of the aggregator:
 * - `health_data_raw`: exactly the valid samples (user, sample id, type, canonical value, times), each once;
 * - `health_data_errors`: exactly the invalid samples, one dead letter per copy on the raw topic, with
 *   their reason codes, each dead letter once, nothing TOO_LATE;
 * - each `*_agg` table: one row per window, holding the count, sum, min, max, mean and end of all the
 *   window's valid samples; rows and final rows only where the watermark allows them. Daily windows
 *   are UTC days, or with `dailyZone: 'user'` the local days of each sample's zone (its batch's v2
 *   `timeZone`; UTC without one), computed in `local-days.ts`, not with the aggregator's code.
 * Each check returns its violations (empty = holds), so the end-to-end test and the chaos run share them.
 */

import type { TruthEntry } from '@healthstream/simulator'
import { multiplicity } from '../stack/pipeline.ts'
import { localDay, zoneName } from './local-days.ts'
import type { Row } from './reader.ts'

export const HOUR = 3_600_000_000 // micros
export const DAY = 24 * HOUR

export type Granularity = 'daily' | 'weekly' | 'monthly'
export const GRANULARITIES: readonly Granularity[] = ['daily', 'weekly', 'monthly']

/** One window's statistics computed from the ground truth. */
export interface ExpectedWindow {
  readonly userId: string
  readonly dataType: string
  readonly granularity: Granularity
  readonly start: number
  readonly end: number
  /** `UTC`, or the zone of a daily window in the user's zone (as the runtime names it). */
  readonly zone: string
  count: number
  sum: number
  min: number
  max: number
}

const dayStart = (micros: number) => Math.floor(micros / DAY) * DAY
/** Monday 00:00 UTC of the ISO week (1970-01-01 was a Thursday). */
const weekStart = (micros: number) => {
  const days = Math.floor(micros / DAY)
  return (days - ((days + 3) % 7)) * DAY
}
const monthBounds = (micros: number): [number, number] => {
  const d = new Date(micros / 1000)
  return [
    Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) * 1000,
    Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) * 1000,
  ]
}

/** A window's identity; the zone as the runtime names it, so `Asia/Kolkata` and `Asia/Calcutta` are one. */
export const windowKey = (
  user: string,
  type: string,
  granularity: string,
  start: number,
  zone = 'UTC',
): string => JSON.stringify([user, type, granularity, start, zoneName(zone) ?? zone])

/** Where daily windows start: UTC midnight, or midnight in each sample's own zone (the aggregator's `DAILY_WINDOW_ZONE`). */
export interface WindowOptions {
  readonly dailyZone?: 'utc' | 'user'
}

/** The daily window of a sample: its UTC day, or its local day in its batch's zone when it has one the runtime knows. */
function dailyBounds(t: TruthEntry, dailyZone: 'utc' | 'user'): [number, number, string] {
  const start = t.startMicros!
  const zone = dailyZone === 'user' && t.timeZone ? zoneName(t.timeZone) : undefined
  if (zone === undefined || zone === 'UTC') return [dayStart(start), dayStart(start) + DAY, 'UTC']
  const day = localDay(start, zone)
  return [day.start, day.end, zone]
}

/**
 * Counts, sums, minima and maxima per user/type and day (UTC or the sample's zone), ISO week and
 * calendar month (UTC) of the start.
 */
export function expectedWindows(
  valid: readonly TruthEntry[],
  options: WindowOptions = {},
): Map<string, ExpectedWindow> {
  const out = new Map<string, ExpectedWindow>()
  for (const t of valid) {
    const start = t.startMicros!
    const bounds: [Granularity, number, number, string][] = [
      ['daily', ...dailyBounds(t, options.dailyZone ?? 'utc')],
      ['weekly', weekStart(start), weekStart(start) + 7 * DAY, 'UTC'],
      ['monthly', ...monthBounds(start), 'UTC'],
    ]
    const v = t.value!
    for (const [granularity, ws, we, zone] of bounds) {
      const key = windowKey(t.userId, t.dataType, granularity, ws, zone)
      const e = out.get(key)
      if (e === undefined) {
        const window = { userId: t.userId, dataType: t.dataType, granularity, start: ws, end: we, zone }
        out.set(key, { ...window, count: 1, sum: v, min: v, max: v })
      } else {
        e.count++
        e.sum += v
        e.min = Math.min(e.min, v)
        e.max = Math.max(e.max, v)
      }
    }
  }
  return out
}

/**
 * The largest amount any valid sample trails the largest event time sent before it. Below
 * out-of-orderness + lateness, no sample can be TOO_LATE (each partition's windows fire by at most
 * that partition's own watermark, and the simulator sends in simulated-time order).
 */
export function maxEventLag(valid: readonly TruthEntry[]): { maxLag: number; endOfData: number } {
  let endOfData = Number.NEGATIVE_INFINITY
  let maxLag = 0
  for (const t of valid) {
    endOfData = Math.max(endOfData, t.startMicros!)
    maxLag = Math.max(maxLag, endOfData - t.startMicros!)
  }
  return { maxLag, endOfData }
}

/** First copies of the ground truth, split by outcome. */
export function outcomes(truth: readonly TruthEntry[]): { valid: TruthEntry[]; invalid: TruthEntry[] } {
  const firstCopies = truth.filter((t) => !t.duplicate)
  return {
    valid: firstCopies.filter((t) => t.outcome === 'valid'),
    invalid: firstCopies.filter((t) => t.outcome !== 'valid'),
  }
}

const rawForm = (r: Row) =>
  JSON.stringify([r.user_id, r.sample_id, r.data_type, r.value, r.start_time, r.end_time ?? null])
const truthForm = (t: TruthEntry) =>
  JSON.stringify([t.userId, t.sampleId, t.dataType, t.value, t.startMicros, t.endMicros ?? null])

/** Violations of "health_data_raw holds exactly the valid samples, each once, with their values". */
export function checkRaw(raw: readonly Row[], valid: readonly TruthEntry[]): string[] {
  const out: string[] = []
  const repeated = [...multiplicity(raw, (r) => `${r.user_id}/${r.sample_id}`)].filter(([, n]) => n !== 1)
  if (repeated.length > 0)
    out.push(`raw: ${repeated.length} samples more than once, e.g. ${repeated.slice(0, 3).join(' ')}`)
  const got = multiplicity(raw, rawForm)
  const want = multiplicity(valid, truthForm)
  const missing = [...want.keys()].filter((k) => !got.has(k))
  const unexpected = [...got.keys()].filter((k) => !want.has(k))
  if (missing.length > 0)
    out.push(`raw: ${missing.length} valid samples missing, e.g. ${missing.slice(0, 3)}`)
  if (unexpected.length > 0)
    out.push(`raw: ${unexpected.length} rows not in the ground truth, e.g. ${unexpected.slice(0, 3)}`)
  return out
}

/**
 * Violations of "health_data_errors holds one dead letter per copy of an invalid sample, with its
 * reason, each once, and nothing TOO_LATE". `copiesOf(batchId)` says how many times the batch is on the
 * raw topic when that differs from the ground truth (a producer that retried an unacknowledged send);
 * by default the ground truth's copies.
 */
export function checkErrors(
  errors: readonly Row[],
  truth: readonly TruthEntry[],
  copiesOf?: (batchId: string, truthCopies: number) => number,
): string[] {
  const out: string[] = []
  const form = (user: unknown, sample: unknown, reason: unknown) => `${user}/${sample}:${reason}`
  const got = multiplicity(errors, (e) => form(e.user_id ?? '', e.sample_id ?? '', e.reason_code))
  const invalidCopies = truth.filter((t) => t.outcome !== 'valid')
  const truthCopies = multiplicity(invalidCopies, (t) => form(t.userId, t.sampleId, t.outcome))
  const batchOf = new Map(invalidCopies.map((t) => [form(t.userId, t.sampleId, t.outcome), t.batchId]))
  const want = new Map(
    [...truthCopies].map(([key, n]) => [key, copiesOf ? copiesOf(batchOf.get(key)!, n) : n] as const),
  )
  const wrong = [...new Set([...got.keys(), ...want.keys()])].filter((k) => got.get(k) !== want.get(k))
  if (wrong.length > 0)
    out.push(
      `errors: ${wrong.length} samples with the wrong number of dead letters, e.g. ` +
        wrong
          .slice(0, 3)
          .map((k) => `${k} got ${got.get(k) ?? 0} want ${want.get(k) ?? 0}`)
          .join(', '),
    )
  const tooLate = errors.filter((e) => e.reason_code === 'TOO_LATE').length
  if (tooLate > 0) out.push(`errors: ${tooLate} TOO_LATE dead letters`)
  const ids = new Set(errors.map((e) => e.error_id))
  if (ids.size !== errors.length) out.push(`errors: ${errors.length - ids.size} dead letters more than once`)
  return out
}

/**
 * Where the aggregator's watermark may stand at the end, per granularity's windows: at least `low`
 * (every partition got that far), at most `high`. Equal when the run fixes it (the end-to-end test).
 */
export interface WatermarkBounds {
  readonly low: number
  readonly high: number
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b))

/**
 * Violations of "one row per window, each equal to the independent aggregation; a row for every
 * window the watermark passed and none before; final exactly where the lateness also passed".
 */
export function checkAggregates(
  granularity: Granularity,
  rows: readonly Row[],
  expected: ReadonlyMap<string, ExpectedWindow>,
  lateness: number,
  watermark: WatermarkBounds,
): { violations: string[]; rows: number; finals: number; windows: number } {
  const out: string[] = []
  const keyOf = (r: Row) =>
    windowKey(String(r.user_id), String(r.data_type), granularity, Number(r.window_start), String(r.zone))
  const seen = multiplicity(rows, keyOf)
  const repeated = [...seen].filter(([, n]) => n !== 1)
  if (repeated.length > 0) out.push(`${granularity}: ${repeated.length} windows with more than one row`)
  const mismatches: string[] = []
  for (const r of rows) {
    const e = expected.get(keyOf(r))
    if (e === undefined) {
      mismatches.push(`unexpected window ${keyOf(r)}`)
      continue
    }
    const ok =
      r.granularity === granularity &&
      Number(r.window_end) === e.end &&
      Number(r.count) === e.count &&
      close(Number(r.sum), e.sum) &&
      r.min === e.min &&
      r.max === e.max &&
      close(Number(r.mean), e.sum / e.count)
    if (!ok)
      mismatches.push(
        `${keyOf(r)} final=${r.is_final}: got count=${r.count} sum=${r.sum} min=${r.min} max=${r.max} end=${r.window_end}, ` +
          `want count=${e.count} sum=${e.sum} min=${e.min} max=${e.max} end=${e.end}`,
      )
  }
  if (mismatches.length > 0)
    out.push(`${granularity}: ${mismatches.length} windows differ: ${mismatches.slice(0, 5).join('; ')}`)

  const finals = new Set(rows.filter((r) => r.is_final === true).map(keyOf))
  const windows = [...expected].filter(([, e]) => e.granularity === granularity)
  const outside = (what: string, keys: Iterable<string>, must: (e: ExpectedWindow) => boolean) => {
    const bad = [...keys].filter((k) => {
      const e = expected.get(k)
      return e !== undefined && !must(e)
    })
    if (bad.length > 0) out.push(`${granularity}: ${bad.length} ${what}, e.g. ${bad.slice(0, 3).join(' ')}`)
  }
  // Rows only for windows the watermark can have passed; final only where the lateness passed too
  outside('rows before the watermark passed the window end', seen.keys(), (e) => e.end <= watermark.high)
  outside('final rows before the lateness passed', finals, (e) => e.end + lateness <= watermark.high)
  // And every window the watermark surely passed has its row (final once the lateness passed)
  const missingRows = windows.filter(([k, e]) => e.end <= watermark.low && !seen.has(k))
  if (missingRows.length > 0)
    out.push(`${granularity}: ${missingRows.length} passed windows without a row, e.g. ${missingRows[0]![0]}`)
  const notFinal = windows.filter(([k, e]) => e.end + lateness <= watermark.low && !finals.has(k))
  if (notFinal.length > 0)
    out.push(`${granularity}: ${notFinal.length} closed windows not final, e.g. ${notFinal[0]![0]}`)
  return { violations: out, rows: rows.length, finals: finals.size, windows: windows.length }
}
