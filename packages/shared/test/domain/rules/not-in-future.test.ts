import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { checkNotInFuture, DEFAULT_FUTURE_SKEW_MICROS } from '../../../src/domain/index.ts'
import { micros } from '../fixtures.ts'

const now = micros('2026-11-25T12:00:00Z')
const skew = DEFAULT_FUTURE_SKEW_MICROS

describe('checkNotInFuture', () => {
  const cases: [string, string, string | null, string | null][] = [
    ['a start in the past', '2026-11-25T11:00:00Z', null, null],
    ['a start exactly now + 5 min', '2026-11-25T12:05:00Z', null, null],
    ['a start 1 µs beyond now + 5 min', '2026-11-25T12:05:00.000001Z', null, 'IN_FUTURE'],
    ['a start tomorrow', '2026-11-26T12:00:00Z', null, 'IN_FUTURE'],
    ['an end within the skew', '2026-11-25T11:00:00Z', '2026-11-25T12:04:59Z', null],
    [
      'an end written in another offset that is within the skew',
      '2026-11-25T11:00:00Z',
      '2026-11-25T13:00:00+01:00',
      null,
    ],
    ['an end an hour ahead', '2026-11-25T11:00:00Z', '2026-11-25T13:00:00Z', 'IN_FUTURE'],
  ]
  for (const [what, startIso, endIso, reason] of cases) {
    it(`${reason === null ? 'accepts' : `rejects as ${reason}`} ${what}`, () => {
      const end = endIso === null ? null : micros(endIso)
      assert.equal(checkNotInFuture(micros(startIso), end, now, skew)?.reason ?? null, reason)
    })
  }
  it('applies a configured skew of zero strictly', () => {
    assert.equal(checkNotInFuture(now, null, now, 0), null)
    assert.equal(checkNotInFuture(now + 1, null, now, 0)?.reason, 'IN_FUTURE')
  })
  it('names the offending field', () => {
    assert.match(
      checkNotInFuture(now, now + 3_600_000_000, now, skew)?.message ?? '',
      /^endTime 2026-11-25T13:00:00Z/,
    )
  })
})
