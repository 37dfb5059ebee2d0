import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { TruthEntry } from '@healthstream/simulator'
import {
  checkAggregates,
  checkErrors,
  checkRaw,
  DAY,
  expectedWindows,
  HOUR,
  maxEventLag,
} from '../../src/lake/invariants.ts'

const T0 = Date.parse('2026-01-05T00:00:00Z') * 1000 // a Monday, micros

function entry(sampleId: string, over: Partial<TruthEntry> = {}): TruthEntry {
  return {
    userId: 'u1',
    sampleId,
    batchId: 'b1',
    dataType: 'heart_rate',
    outcome: 'valid',
    value: 60,
    startMicros: T0 + HOUR,
    endMicros: null,
    duplicate: false,
    late: false,
    outOfOrder: false,
    schemaVersion: 2,
    ...over,
  }
}

const rawRow = (t: TruthEntry) => ({
  user_id: t.userId,
  sample_id: t.sampleId,
  data_type: t.dataType,
  value: t.value,
  start_time: t.startMicros,
  end_time: t.endMicros,
})

describe('lake invariants', () => {
  const valid = [entry('s1'), entry('s2', { value: 80, startMicros: T0 + 2 * HOUR })]

  it('accepts the raw table that holds each valid sample once, and names what is missing or doubled', () => {
    assert.deepEqual(checkRaw(valid.map(rawRow), valid), [])
    assert.match(checkRaw([rawRow(valid[0]!)], valid).join(), /1 valid samples missing/)
    assert.match(checkRaw([...valid, valid[0]!].map(rawRow), valid).join(), /more than once/)
    assert.match(
      checkRaw([rawRow(valid[0]!), { ...rawRow(valid[1]!), value: 81 }], valid).join(),
      /not in the/,
    )
  })

  it('wants one dead letter per copy of an invalid sample, more when the topic holds more copies', () => {
    const bad = entry('s3', { outcome: 'OUT_OF_RANGE', batchId: 'b2' })
    const truth = [bad, { ...bad, duplicate: true }]
    const letter = (id: string) => ({
      error_id: id,
      user_id: 'u1',
      sample_id: 's3',
      reason_code: 'OUT_OF_RANGE',
    })
    assert.deepEqual(checkErrors([letter('e1'), letter('e2')], truth), [])
    assert.match(checkErrors([letter('e1')], truth).join(), /got 1 want 2/)
    assert.match(checkErrors([letter('e1'), letter('e1')], truth).join(), /more than once/)
    assert.match(checkErrors([letter('e1'), letter('e2')], truth, () => 3).join(), /got 2 want 3/)
    const late = { ...letter('e3'), sample_id: 's1', reason_code: 'TOO_LATE' }
    assert.match(checkErrors([letter('e1'), letter('e2'), late], truth).join(), /TOO_LATE/)
  })

  it('computes windows on UTC days, ISO weeks and months, and measures how far samples trail', () => {
    const windows = expectedWindows(valid)
    assert.deepEqual(
      [...windows.values()].map((w) => [
        w.granularity,
        w.count,
        w.sum,
        w.min,
        w.max,
        (w.end - w.start) / DAY,
      ]),
      [
        ['daily', 2, 140, 60, 80, 1],
        ['weekly', 2, 140, 60, 80, 7],
        ['monthly', 2, 140, 60, 80, 31],
      ],
    )
    assert.deepEqual(maxEventLag([valid[1]!, valid[0]!]), { maxLag: HOUR, endOfData: T0 + 2 * HOUR })
  })

  it("computes daily windows in each sample's own zone with dailyZone user, UTC days without one", () => {
    const at = (iso: string) => Date.parse(iso) * 1000
    const zoned = [
      // Berlin's 23-hour 2026-03-29 starts 2026-03-28T23:00Z: both samples are in it
      entry('b1', { startMicros: at('2026-03-28T23:30:00Z'), timeZone: 'Europe/Berlin' }),
      entry('b2', { value: 80, startMicros: at('2026-03-29T01:30:00Z'), timeZone: 'Europe/Berlin' }),
      // A v1 batch carries no zone: its day is the UTC day
      entry('b3', { value: 70, startMicros: at('2026-03-29T01:30:00Z'), schemaVersion: 1 }),
      // Kolkata's 2026-03-30 starts at 18:30Z the day before
      entry('k1', { userId: 'u2', startMicros: at('2026-03-29T20:00:00Z'), timeZone: 'Asia/Kolkata' }),
    ]
    const daily = (options?: { dailyZone: 'utc' | 'user' }) =>
      [...expectedWindows(zoned, options).values()]
        .filter((w) => w.granularity === 'daily')
        .map((w) => [
          w.userId,
          w.zone === 'Asia/Calcutta' ? 'Asia/Kolkata' : w.zone,
          new Date(w.start / 1000).toISOString(),
          (w.end - w.start) / HOUR,
          w.count,
        ])
    assert.deepEqual(daily({ dailyZone: 'user' }), [
      ['u1', 'Europe/Berlin', '2026-03-28T23:00:00.000Z', 23, 2],
      ['u1', 'UTC', '2026-03-29T00:00:00.000Z', 24, 1],
      ['u2', 'Asia/Kolkata', '2026-03-29T18:30:00.000Z', 24, 1],
    ])
    assert.deepEqual(daily(), [
      ['u1', 'UTC', '2026-03-28T00:00:00.000Z', 24, 1],
      ['u1', 'UTC', '2026-03-29T00:00:00.000Z', 24, 2],
      ['u2', 'UTC', '2026-03-29T00:00:00.000Z', 24, 1],
    ])
    // Weeks and months stay UTC
    const weekly = [...expectedWindows(zoned, { dailyZone: 'user' }).values()].filter(
      (w) => w.granularity !== 'daily',
    )
    assert.ok(weekly.every((w) => w.zone === 'UTC'))

    // A row in the zone's own name matches, one on the UTC day instead does not
    const expected = expectedWindows([zoned[3]!], { dailyZone: 'user' })
    const row = {
      user_id: 'u2',
      data_type: 'heart_rate',
      granularity: 'daily',
      zone: 'Asia/Kolkata',
      window_start: at('2026-03-29T18:30:00Z'),
      window_end: at('2026-03-30T18:30:00Z'),
      ...{ count: 1, sum: 60, min: 60, max: 60, mean: 60, is_final: true },
    }
    const passed = { low: at('2026-04-01T00:00:00Z'), high: at('2026-04-01T00:00:00Z') }
    assert.deepEqual(checkAggregates('daily', [row], expected, HOUR, passed).violations, [])
    const utcDay = {
      ...row,
      zone: 'UTC',
      window_start: at('2026-03-29T00:00:00Z'),
      window_end: at('2026-03-30T00:00:00Z'),
    }
    assert.match(
      checkAggregates('daily', [utcDay], expected, HOUR, passed).violations.join(),
      /unexpected window/,
    )
    assert.match(
      checkAggregates(
        'daily',
        [{ ...row, window_end: row.window_end + HOUR }],
        expected,
        HOUR,
        passed,
      ).violations.join(),
      /differ/,
    )
  })

  it('checks aggregate rows against the windows and the bounds of the final watermark', () => {
    const expected = expectedWindows(valid)
    const row = (over: Record<string, unknown> = {}) => ({
      user_id: 'u1',
      data_type: 'heart_rate',
      granularity: 'daily',
      zone: 'UTC',
      window_start: T0,
      window_end: T0 + DAY,
      count: 2,
      sum: 140,
      min: 60,
      max: 80,
      mean: 70,
      is_final: true,
      ...over,
    })
    const passed = { low: T0 + 2 * DAY, high: T0 + 2 * DAY }
    assert.deepEqual(checkAggregates('daily', [row()], expected, HOUR, passed).violations, [])
    assert.match(
      checkAggregates('daily', [row({ count: 1 })], expected, HOUR, passed).violations.join(),
      /differ/,
    )
    assert.match(
      checkAggregates('daily', [row(), row()], expected, HOUR, passed).violations.join(),
      /more than one/,
    )
    assert.match(checkAggregates('daily', [], expected, HOUR, passed).violations.join(), /without a row/)
    assert.match(
      checkAggregates('daily', [row({ is_final: false })], expected, HOUR, passed).violations.join(),
      /not final/,
    )
    // The watermark never reached the day's end: a row there fired early
    const before = { low: T0 + HOUR, high: T0 + 12 * HOUR }
    assert.match(
      checkAggregates('daily', [row()], expected, HOUR, before).violations.join(),
      /before the watermark/,
    )
    assert.deepEqual(checkAggregates('daily', [], expected, HOUR, before).violations, [])
  })
})
