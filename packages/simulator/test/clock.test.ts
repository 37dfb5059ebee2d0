import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  formatLocal,
  formatWithoutOffset,
  localDayMinute,
  localToEpoch,
  offsetMinutes,
} from '../src/clock.ts'

const t = Date.parse('2026-11-25T07:15:30.123Z')
const millis = { millis: true, utcAsZ: false }

describe('device clocks', () => {
  const cases: [string, string][] = [
    ['Europe/Berlin', '2026-11-25T08:15:30.123+01:00'],
    ['Asia/Kolkata', '2026-11-25T12:45:30.123+05:30'],
    ['Asia/Kathmandu', '2026-11-25T13:00:30.123+05:45'],
    ['America/St_Johns', '2026-11-25T03:45:30.123-03:30'],
    ['America/Los_Angeles', '2026-11-24T23:15:30.123-08:00'],
    ['UTC', '2026-11-25T07:15:30.123+00:00'],
  ]
  for (const [zone, expected] of cases) {
    it(`writes ${expected} in ${zone}`, () => {
      assert.equal(formatLocal(t, zone, millis), expected)
      assert.equal(Date.parse(expected), t)
    })
  }

  it('writes UTC as Z and drops milliseconds when the device does', () => {
    assert.equal(formatLocal(t, 'UTC', { millis: false, utcAsZ: true }), '2026-11-25T07:15:30Z')
  })

  it('follows daylight saving time: Berlin is +02:00 in July', () => {
    assert.equal(offsetMinutes('Europe/Berlin', Date.parse('2026-07-01T12:00:00Z')), 120)
  })

  it('switches offset at the hour of the change (2026-03-29 01:00Z in Berlin)', () => {
    assert.equal(offsetMinutes('Europe/Berlin', Date.parse('2026-03-29T00:59:59Z')), 60)
    assert.equal(offsetMinutes('Europe/Berlin', Date.parse('2026-03-29T01:00:00Z')), 120)
  })

  it('switches offset at the half hour of UTC where Adelaide leaves daylight time (2026-04-04 16:30Z)', () => {
    assert.equal(offsetMinutes('Australia/Adelaide', Date.parse('2026-04-04T16:29:59Z')), 630)
    assert.equal(offsetMinutes('Australia/Adelaide', Date.parse('2026-04-04T16:30:00Z')), 570)
    assert.equal(
      formatLocal(Date.parse('2026-04-04T16:45:00Z'), 'Australia/Adelaide', millis),
      '2026-04-05T02:15:00.000+09:30',
    )
  })

  it('can write a time without its offset, the way a buggy device would', () => {
    assert.equal(formatWithoutOffset(t, 'Europe/Berlin'), '2026-11-25T08:15:30.123')
  })

  it('maps local day and minute to epoch and back', () => {
    const { day, minute } = localDayMinute(t, 'Asia/Kolkata')
    assert.equal(minute, 12 * 60 + 45)
    assert.equal(localToEpoch(day, minute, 'Asia/Kolkata'), Date.parse('2026-11-25T07:15:00Z'))
  })
})
