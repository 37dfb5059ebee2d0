import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { zoneDays } from '../../src/lake/zone-days.ts'

const at = (iso: string) => Date.parse(iso) * 1000
const row = (zone: string, start: string, end: string) => ({
  zone,
  window_start: at(start),
  window_end: at(end),
})

describe('daily rows per zone', () => {
  it('names the days that are not 24 hours long by their local date, and when the days start', () => {
    const rows = [
      row('Europe/Berlin', '2026-03-28T23:00:00Z', '2026-03-29T22:00:00Z'),
      row('Europe/Berlin', '2026-03-27T23:00:00Z', '2026-03-28T23:00:00Z'),
      row('Australia/Adelaide', '2026-04-04T13:30:00Z', '2026-04-05T14:30:00Z'),
      row('Asia/Kolkata', '2026-03-29T18:30:00Z', '2026-03-30T18:30:00Z'),
      row('UTC', '2026-03-29T00:00:00Z', '2026-03-30T00:00:00Z'),
      row('Europe/Berlin', '2026-10-24T22:00:00Z', '2026-10-25T23:00:00Z'),
    ]
    assert.deepEqual(zoneDays(rows), {
      'Asia/Kolkata': { rows: 1, lengths: {}, startsAt: ['18:30'] },
      'Australia/Adelaide': { rows: 1, lengths: { '2026-04-05': 25 }, startsAt: ['13:30'] },
      'Europe/Berlin': {
        rows: 3,
        lengths: { '2026-03-29': 23, '2026-10-25': 25 },
        startsAt: ['22:00', '23:00'],
      },
      UTC: { rows: 1, lengths: {}, startsAt: ['00:00'] },
    })
  })
})
