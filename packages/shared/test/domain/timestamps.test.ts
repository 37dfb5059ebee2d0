import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { formatIsoTimestamp, parseIsoTimestamp } from '../../src/domain/index.ts'

const valid: [string, number, number][] = [
  ['2026-11-25T08:15:30.123+01:00', Date.UTC(2026, 10, 25, 7, 15, 30, 123) * 1000, 60],
  ['2026-11-25T07:15:30Z', Date.UTC(2026, 10, 25, 7, 15, 30) * 1000, 0],
  ['2026-11-25T07:15:30.123456789Z', Date.UTC(2026, 10, 25, 7, 15, 30) * 1000 + 123_456, 0],
  ['2026-11-25T07:15:30.1Z', Date.UTC(2026, 10, 25, 7, 15, 30) * 1000 + 100_000, 0],
  ['2026-11-25T00:30:00-05:30', Date.UTC(2026, 10, 25, 6, 0) * 1000, -330],
  ['2026-11-25T00:00:00-00:00', Date.UTC(2026, 10, 25) * 1000, 0],
  ['2024-02-29T23:59:59.999999+14:00', Date.UTC(2024, 1, 29, 9, 59, 59) * 1000 + 999_999, 840],
  ['2000-02-29T00:00:00Z', Date.UTC(2000, 1, 29) * 1000, 0],
  ['1970-01-01T00:00:00Z', 0, 0],
  ['1969-12-31T23:59:59.999999Z', -1, 0],
  ['2026-01-01T00:00:00+18:00', Date.UTC(2025, 11, 31, 6) * 1000, 1080],
]

const invalid: [string, string][] = [
  ['2026-11-25T08:15:30', 'a missing offset'],
  ['2026-11-25T08:15:30.123', 'a missing offset after a fraction'],
  ['2026-13-01T00:00:00Z', 'month 13'],
  ['2026-00-01T00:00:00Z', 'month 0'],
  ['2026-02-30T00:00:00Z', 'Feb 30'],
  ['2026-02-29T00:00:00Z', 'Feb 29 of a common year'],
  ['1900-02-29T00:00:00Z', 'Feb 29 of a century that is not a leap year'],
  ['2026-04-31T00:00:00Z', 'April 31'],
  ['2026-11-00T00:00:00Z', 'day 0'],
  ['2026-11-25T25:00:00Z', 'hour 25'],
  ['2026-11-25T24:00:00Z', 'hour 24'],
  ['2026-11-25T08:60:00Z', 'minute 60'],
  ['2026-11-25T08:15:60Z', 'a leap second'],
  ['2026-11-25T08:15:30.1234567890Z', 'ten fraction digits'],
  ['2026-11-25T08:15:30.Z', 'an empty fraction'],
  ['2026-11-25T08:15:30+0100', 'a basic-format offset'],
  ['2026-11-25T08:15:30+01', 'an offset without minutes'],
  ['2026-11-25T08:15:30+19:00', 'an offset beyond 18 hours'],
  ['2026-11-25T08:15:30+01:60', 'offset minutes 60'],
  ['2026-11-25 08:15:30Z', 'a space instead of T'],
  ['2026-11-25t08:15:30z', 'lower-case t and z'],
  ['2026-11-25', 'a date only'],
  ['26-11-25T08:15:30Z', 'a two-digit year'],
  ['+002026-11-25T08:15:30Z', 'an expanded year'],
  ['1600-01-01T00:00:00Z', 'an instant before the safe micros range'],
  ['2300-01-01T00:00:00Z', 'an instant after the safe micros range'],
  [' 2026-11-25T08:15:30Z', 'leading whitespace'],
  ['2026-11-25T08:15:30Z\n', 'a trailing newline'],
  ['２０２６-11-25T08:15:30Z', 'full-width digits'],
  ['garbage', 'garbage'],
  ['', 'the empty string'],
]

describe('parseIsoTimestamp', () => {
  for (const [iso, micros, offsetMinutes] of valid) {
    it(`reads ${iso} as ${micros} µs at offset ${offsetMinutes} min`, () => {
      assert.deepEqual(parseIsoTimestamp(iso), { ok: true, micros, offsetMinutes })
    })
  }
  for (const [iso, why] of invalid) {
    it(`rejects ${JSON.stringify(iso)} (${why})`, () => {
      assert.deepEqual(parseIsoTimestamp(iso), { ok: false })
    })
  }
  it('rejects values that are not strings', () => {
    for (const value of [null, undefined, 0, {}, new Date()]) assert.equal(parseIsoTimestamp(value).ok, false)
  })
  it('truncates nanoseconds rather than rounding them up', () => {
    const parsed = parseIsoTimestamp('2026-11-25T07:15:30.999999999Z')
    assert.ok(parsed.ok)
    assert.equal(parsed.micros % 1_000_000, 999_999)
  })
  it('stays exact where a float computation of the fraction would round', () => {
    const base = Date.UTC(2026, 10, 25, 7, 15, 30) * 1000
    for (let f = 0; f < 1_000_000; f += 7919) {
      const iso = `2026-11-25T07:15:30.${String(f).padStart(6, '0')}Z`
      assert.deepEqual(parseIsoTimestamp(iso), { ok: true, micros: base + f, offsetMinutes: 0 })
    }
  })
})

describe('parseIsoTimestamp properties', () => {
  const instant = fc.integer({ min: -8_000_000_000_000_000, max: 8_000_000_000_000_000 })
  const offset = fc.integer({ min: -1080, max: 1080 })

  it('round-trips every instant and offset through formatIsoTimestamp', () => {
    fc.assert(
      fc.property(instant, offset, (micros, offsetMinutes) => {
        assert.deepEqual(parseIsoTimestamp(formatIsoTimestamp(micros, offsetMinutes)), {
          ok: true,
          micros,
          offsetMinutes,
        })
      }),
      { numRuns: 2000 },
    )
  })

  it('agrees with Date for millisecond UTC strings from Date#toISOString', () => {
    const ms = fc.integer({ min: -2_000_000_000_000, max: 8_000_000_000_000 })
    fc.assert(
      fc.property(ms, (t) => {
        assert.deepEqual(parseIsoTimestamp(new Date(t).toISOString()), {
          ok: true,
          micros: t * 1000,
          offsetMinutes: 0,
        })
      }),
      { numRuns: 2000 },
    )
  })

  it('never accepts a string without an offset', () => {
    fc.assert(
      fc.property(instant, (micros) => {
        const withoutOffset = formatIsoTimestamp(micros, 0).replace(/Z$/, '')
        assert.equal(parseIsoTimestamp(withoutOffset).ok, false)
      }),
    )
  })

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        parseIsoTimestamp(s)
      }),
    )
  })
})

describe('formatIsoTimestamp', () => {
  const cases: [number, number, string][] = [
    [0, 0, '1970-01-01T00:00:00Z'],
    [-1, 0, '1969-12-31T23:59:59.999999Z'],
    [Date.UTC(2026, 10, 25, 7, 15, 30, 123) * 1000, 60, '2026-11-25T08:15:30.123+01:00'],
    [Date.UTC(2026, 10, 25, 6) * 1000, -330, '2026-11-25T00:30:00-05:30'],
  ]
  for (const [micros, offset, iso] of cases) {
    it(`writes ${micros} µs at ${offset} min as ${iso}`, () =>
      assert.equal(formatIsoTimestamp(micros, offset), iso))
  }
  it('refuses an offset beyond 18 hours', () => assert.throws(() => formatIsoTimestamp(0, 1081), RangeError))
  it('refuses a fractional instant', () => assert.throws(() => formatIsoTimestamp(0.5), RangeError))
})
