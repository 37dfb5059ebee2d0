import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import {
  dailyWindow,
  monthlyWindow,
  weeklyWindow,
  windowId,
  windowsOf,
} from '../../src/windows/definitions.ts'
import { HOUR, iso, us } from '../support/samples.ts'

describe('dailyWindow', () => {
  const cases = [
    // [what, instant, zone, start, end, label, zone used]
    [
      'a UTC day by default',
      '2026-03-29T01:30:00Z',
      null,
      '2026-03-29T00:00:00Z',
      '2026-03-30T00:00:00Z',
      '2026-03-29',
      'UTC',
    ],
    [
      'the Berlin day that is 23 hours long (spring forward)',
      '2026-03-29T01:30:00Z',
      'Europe/Berlin',
      '2026-03-28T23:00:00Z',
      '2026-03-29T22:00:00Z',
      '2026-03-29',
      'Europe/Berlin',
    ],
    [
      'the Berlin day that is 25 hours long (fall back)',
      '2026-10-25T12:00:00Z',
      'Europe/Berlin',
      '2026-10-24T22:00:00Z',
      '2026-10-25T23:00:00Z',
      '2026-10-25',
      'Europe/Berlin',
    ],
    [
      'the Berlin date of an instant that is still the previous day in UTC',
      '2026-03-28T23:30:00Z',
      'Europe/Berlin',
      '2026-03-28T23:00:00Z',
      '2026-03-29T22:00:00Z',
      '2026-03-29',
      'Europe/Berlin',
    ],
    [
      'the New York day that is 23 hours long',
      '2026-03-08T12:00:00Z',
      'America/New_York',
      '2026-03-08T05:00:00Z',
      '2026-03-09T04:00:00Z',
      '2026-03-08',
      'America/New_York',
    ],
    [
      'the New York day that is 25 hours long',
      '2026-11-01T12:00:00Z',
      'America/New_York',
      '2026-11-01T04:00:00Z',
      '2026-11-02T05:00:00Z',
      '2026-11-01',
      'America/New_York',
    ],
    [
      'the New York evening that is already the next day in UTC',
      '2026-11-02T03:00:00Z',
      'America/New_York',
      '2026-11-01T04:00:00Z',
      '2026-11-02T05:00:00Z',
      '2026-11-01',
      'America/New_York',
    ],
    [
      'a Santiago day whose midnight does not exist (it starts at 01:00)',
      '2026-09-06T12:00:00Z',
      'America/Santiago',
      '2026-09-06T04:00:00Z',
      '2026-09-07T03:00:00Z',
      '2026-09-06',
      'America/Santiago',
    ],
    [
      'the Apia day before the date Samoa skipped',
      '2011-12-29T12:00:00Z',
      'Pacific/Apia',
      '2011-12-29T10:00:00Z',
      '2011-12-30T10:00:00Z',
      '2011-12-29',
      'Pacific/Apia',
    ],
    [
      'the canonical zone for a differently spelled name',
      '2026-03-29T01:30:00Z',
      'europe/berlin',
      '2026-03-28T23:00:00Z',
      '2026-03-29T22:00:00Z',
      '2026-03-29',
      'Europe/Berlin',
    ],
    [
      'UTC for an unknown zone',
      '2026-03-29T01:30:00Z',
      'Mars/Olympus_Mons',
      '2026-03-29T00:00:00Z',
      '2026-03-30T00:00:00Z',
      '2026-03-29',
      'UTC',
    ],
    [
      'UTC for an alias of UTC',
      '2026-03-29T01:30:00Z',
      'Etc/UTC',
      '2026-03-29T00:00:00Z',
      '2026-03-30T00:00:00Z',
      '2026-03-29',
      'UTC',
    ],
    [
      'the leap day',
      '2024-02-29T23:59:59.999999Z',
      null,
      '2024-02-29T00:00:00Z',
      '2024-03-01T00:00:00Z',
      '2024-02-29',
      'UTC',
    ],
  ] as const
  for (const [what, at, zone, start, end, label, used] of cases) {
    it(`assigns ${at} to ${what}`, () => {
      const w = dailyWindow(us(at), zone)
      assert.deepEqual(
        [iso(w.start), iso(w.end), w.label, w.zone],
        [iso(us(start)), iso(us(end)), label, used],
      )
    })
  }

  it('puts the first instant of a day in that day and the last microsecond in the one before', () => {
    assert.equal(dailyWindow(us('2026-03-28T23:00:00Z'), 'Europe/Berlin').label, '2026-03-29')
    assert.equal(dailyWindow(us('2026-03-28T23:00:00Z') - 1, 'Europe/Berlin').label, '2026-03-28')
  })

  it('tiles time without gaps or overlaps in any zone, and always contains its instant', () => {
    const zones = [
      'Europe/Berlin',
      'America/New_York',
      'America/Santiago',
      'Australia/Lord_Howe',
      'Asia/Kathmandu',
      'UTC',
    ]
    const instant = fc.integer({ min: us('2000-01-01T00:00:00Z'), max: us('2040-01-01T00:00:00Z') })
    fc.assert(
      fc.property(instant, fc.constantFrom(...zones), (t, zone) => {
        const w = dailyWindow(t, zone)
        assert.ok(w.start <= t && t < w.end, `${iso(t)} in ${zone}: ${iso(w.start)}..${iso(w.end)}`)
        assert.ok(w.end - w.start >= 22 * HOUR && w.end - w.start <= 26 * HOUR)
        assert.equal(dailyWindow(w.end, zone).start, w.end)
        assert.equal(dailyWindow(w.start - 1, zone).end, w.start)
      }),
    )
  })
})

describe('weeklyWindow', () => {
  const cases = [
    ['Tuesday 2024-12-31 to ISO week 1 of 2025', '2024-12-31T18:00:00Z', '2024-12-30T00:00:00Z', '2025-W01'],
    ['Thursday 2026-12-31 to week 53 of 2026', '2026-12-31T12:00:00Z', '2026-12-28T00:00:00Z', '2026-W53'],
    ['Friday 2027-01-01 to week 53 of 2026', '2027-01-01T12:00:00Z', '2026-12-28T00:00:00Z', '2026-W53'],
    [
      'Sunday 2021-01-03 to week 53 of 2020',
      '2021-01-03T23:59:59.999999Z',
      '2020-12-28T00:00:00Z',
      '2020-W53',
    ],
    ['Monday 00:00 to the week it starts', '2026-03-30T00:00:00Z', '2026-03-30T00:00:00Z', '2026-W14'],
    ['Thursday 2026-01-01 to week 1 of 2026', '2026-01-01T00:00:00Z', '2025-12-29T00:00:00Z', '2026-W01'],
    ['Monday 2018-12-31 to week 1 of 2019', '2018-12-31T08:00:00Z', '2018-12-31T00:00:00Z', '2019-W01'],
  ] as const
  for (const [what, at, start, label] of cases) {
    it(`assigns ${what}`, () => {
      const w = weeklyWindow(us(at))
      assert.deepEqual(
        [iso(w.start), iso(w.end - 7 * 24 * HOUR), w.label],
        [iso(us(start)), iso(us(start)), label],
      )
    })
  }

  it('always starts on a Monday at 00:00 UTC and lasts 7 days', () => {
    fc.assert(
      fc.property(fc.integer({ min: us('1990-01-01T00:00:00Z'), max: us('2060-01-01T00:00:00Z') }), (t) => {
        const w = weeklyWindow(t)
        assert.equal(new Date(w.start / 1000).getUTCDay(), 1)
        assert.equal(w.start % (24 * HOUR), 0)
        assert.ok(w.start <= t && t < w.end && w.end - w.start === 7 * 24 * HOUR)
      }),
    )
  })
})

describe('monthlyWindow', () => {
  const cases = [
    [
      'February of a leap year (29 days)',
      '2024-02-29T23:59:59.999999Z',
      '2024-02-01T00:00:00Z',
      '2024-03-01T00:00:00Z',
      '2024-02',
    ],
    [
      'February of a common year (28 days)',
      '2026-02-28T12:00:00Z',
      '2026-02-01T00:00:00Z',
      '2026-03-01T00:00:00Z',
      '2026-02',
    ],
    [
      'the last microsecond of January to January',
      '2026-01-31T23:59:59.999999Z',
      '2026-01-01T00:00:00Z',
      '2026-02-01T00:00:00Z',
      '2026-01',
    ],
    [
      'the first instant of February to February',
      '2026-02-01T00:00:00Z',
      '2026-02-01T00:00:00Z',
      '2026-03-01T00:00:00Z',
      '2026-02',
    ],
    [
      'December, ending at the next new year',
      '2026-12-31T23:00:00Z',
      '2026-12-01T00:00:00Z',
      '2027-01-01T00:00:00Z',
      '2026-12',
    ],
    ['April (30 days)', '2026-04-30T10:00:00Z', '2026-04-01T00:00:00Z', '2026-05-01T00:00:00Z', '2026-04'],
    [
      'February 2100, not a leap year',
      '2100-02-15T00:00:00Z',
      '2100-02-01T00:00:00Z',
      '2100-03-01T00:00:00Z',
      '2100-02',
    ],
  ] as const
  for (const [what, at, start, end, label] of cases) {
    it(`assigns ${what}`, () => {
      const w = monthlyWindow(us(at))
      assert.deepEqual([iso(w.start), iso(w.end), w.label], [iso(us(start)), iso(us(end)), label])
    })
  }
})

describe('windowsOf', () => {
  it('uses the sample zone for the day only when asked to, never for week and month', () => {
    const t = us('2026-03-29T22:30:00Z')
    const [day, week, month] = windowsOf(t, 'user', 'Europe/Berlin')
    assert.deepEqual(
      [day!.label, day!.zone, week!.zone, month!.zone],
      ['2026-03-30', 'Europe/Berlin', 'UTC', 'UTC'],
    )
    assert.deepEqual(windowsOf(t, 'utc', 'Europe/Berlin')[0]!.zone, 'UTC')
  })
})

describe('windowId', () => {
  it('keeps user and type ids that contain separators apart', () => {
    const w = dailyWindow(us('2026-03-29T01:30:00Z'))
    assert.notEqual(windowId('a","b', 'c', w), windowId('a', 'b","c', w))
  })
})
