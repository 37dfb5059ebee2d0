import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { localDay, offsetAt, zoneName } from '../../src/lake/local-days.ts'

const micros = (iso: string) => Date.parse(iso) * 1000
const iso = (us: number) => new Date(us / 1000).toISOString().replace('.000Z', 'Z')

// [zone, an instant, its local date, the day's first instant, the next day's first instant, hours]
const DAYS: [string, string, string, string, string, number][] = [
  // Spring forward: 23 hours
  ['Europe/Berlin', '2026-03-29T01:30:00Z', '2026-03-29', '2026-03-28T23:00:00Z', '2026-03-29T22:00:00Z', 23],
  [
    'America/Los_Angeles',
    '2026-03-08T12:00:00Z',
    '2026-03-08',
    '2026-03-08T08:00:00Z',
    '2026-03-09T07:00:00Z',
    23,
  ],
  [
    'Australia/Sydney',
    '2026-10-04T00:00:00Z',
    '2026-10-04',
    '2026-10-03T14:00:00Z',
    '2026-10-04T13:00:00Z',
    23,
  ],
  [
    'Australia/Adelaide',
    '2026-10-04T00:00:00Z',
    '2026-10-04',
    '2026-10-03T14:30:00Z',
    '2026-10-04T13:30:00Z',
    23,
  ],
  // Fall back: 25 hours
  ['Europe/Berlin', '2026-10-25T12:00:00Z', '2026-10-25', '2026-10-24T22:00:00Z', '2026-10-25T23:00:00Z', 25],
  [
    'America/Los_Angeles',
    '2026-11-01T12:00:00Z',
    '2026-11-01',
    '2026-11-01T07:00:00Z',
    '2026-11-02T08:00:00Z',
    25,
  ],
  [
    'Australia/Sydney',
    '2026-04-05T00:00:00Z',
    '2026-04-05',
    '2026-04-04T13:00:00Z',
    '2026-04-05T14:00:00Z',
    25,
  ],
  [
    'Australia/Adelaide',
    '2026-04-05T00:00:00Z',
    '2026-04-05',
    '2026-04-04T13:30:00Z',
    '2026-04-05T14:30:00Z',
    25,
  ],
  // The days either side are 24 hours again
  ['Europe/Berlin', '2026-03-28T12:00:00Z', '2026-03-28', '2026-03-27T23:00:00Z', '2026-03-28T23:00:00Z', 24],
  [
    'Australia/Adelaide',
    '2026-04-06T00:00:00Z',
    '2026-04-06',
    '2026-04-05T14:30:00Z',
    '2026-04-06T14:30:00Z',
    24,
  ],
  // A half-hour offset without DST: every day 18:30Z to 18:30Z
  ['Asia/Kolkata', '2026-03-29T20:00:00Z', '2026-03-30', '2026-03-29T18:30:00Z', '2026-03-30T18:30:00Z', 24],
  ['Asia/Kolkata', '2026-03-29T18:29:59Z', '2026-03-29', '2026-03-28T18:30:00Z', '2026-03-29T18:30:00Z', 24],
  ['Asia/Kolkata', '2026-10-25T12:00:00Z', '2026-10-25', '2026-10-24T18:30:00Z', '2026-10-25T18:30:00Z', 24],
  // Zones that change at midnight: the day starts when it skips to 01:00, or at the first of two midnights
  [
    'America/Havana',
    '2026-03-08T12:00:00Z',
    '2026-03-08',
    '2026-03-08T05:00:00Z',
    '2026-03-09T04:00:00Z',
    23,
  ],
  [
    'America/Havana',
    '2026-11-01T12:00:00Z',
    '2026-11-01',
    '2026-11-01T04:00:00Z',
    '2026-11-02T05:00:00Z',
    25,
  ],
  [
    'America/Santiago',
    '2026-09-06T12:00:00Z',
    '2026-09-06',
    '2026-09-06T04:00:00Z',
    '2026-09-07T03:00:00Z',
    23,
  ],
  [
    'America/Santiago',
    '2026-04-04T12:00:00Z',
    '2026-04-04',
    '2026-04-04T03:00:00Z',
    '2026-04-05T04:00:00Z',
    25,
  ],
  ['UTC', '2026-03-29T01:30:00Z', '2026-03-29', '2026-03-29T00:00:00Z', '2026-03-30T00:00:00Z', 24],
]

describe("local days of IANA zones (the tests' own recomputation)", () => {
  for (const [zone, at, date, start, end, hours] of DAYS) {
    it(`puts ${at} on ${date} in ${zone}, a day of ${hours} hours from ${start}`, () => {
      const day = localDay(micros(at), zone)
      assert.deepEqual([day.date, iso(day.start), iso(day.end)], [date, start, end])
      assert.equal((day.end - day.start) / 3_600_000_000, hours)
    })
  }

  it('keeps the skipped and the repeated hour in the day they belong to', () => {
    // Berlin: 01:59:59 CET, then 03:00 CEST; in October 02:30 CEST and, an hour later, 02:30 CET
    for (const at of ['2026-03-28T23:00:00Z', '2026-03-29T00:59:59Z', '2026-03-29T01:00:00Z'])
      assert.equal(localDay(micros(at), 'Europe/Berlin').date, '2026-03-29')
    for (const at of ['2026-10-25T00:30:00Z', '2026-10-25T01:30:00Z'])
      assert.equal(localDay(micros(at), 'Europe/Berlin').date, '2026-10-25')
  })

  it('ends a day one microsecond before the next one starts', () => {
    const day = localDay(micros('2026-04-05T00:00:00Z'), 'Australia/Adelaide')
    assert.equal(localDay(day.end - 1, 'Australia/Adelaide').date, '2026-04-05')
    assert.equal(localDay(day.end, 'Australia/Adelaide').date, '2026-04-06')
    assert.equal(localDay(day.start, 'Australia/Adelaide').date, '2026-04-05')
    assert.equal(localDay(day.start - 1, 'Australia/Adelaide').date, '2026-04-04')
  })

  it('reads offsets of half-hour zones on both sides of a change', () => {
    const h = 3_600_000
    assert.equal(offsetAt('Australia/Adelaide', Date.parse('2026-04-04T16:29:59Z')), 10.5 * h)
    assert.equal(offsetAt('Australia/Adelaide', Date.parse('2026-04-04T16:30:00Z')), 9.5 * h)
    assert.equal(offsetAt('Asia/Kolkata', Date.parse('2026-06-01T00:00:00Z')), 5.5 * h)
  })

  it('names zones as the runtime does and knows no made-up one', () => {
    assert.equal(zoneName('europe/berlin'), 'Europe/Berlin')
    assert.equal(zoneName('Asia/Kolkata'), zoneName('Asia/Calcutta'))
    assert.equal(zoneName('Mars/Olympus'), undefined)
    assert.throws(() => localDay(0, 'Mars/Olympus'), /unknown time zone Mars\/Olympus/)
  })

  it('refuses days that are not one span of time rather than guess', () => {
    // 2010-11-07 00:01 NDT in St. John's went back to 2010-11-06 23:01 NST
    assert.throws(() => localDay(micros('2010-11-07T02:31:30Z'), 'America/St_Johns'), /across midnight/)
    // Apia skipped 2011-12-30: the day before has no next day to end at
    assert.throws(() => localDay(micros('2011-12-29T12:00:00Z'), 'Pacific/Apia'), /no start found/)
  })
})
