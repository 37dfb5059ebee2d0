import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { checkEndNotBeforeStart } from '../../../src/domain/index.ts'
import { micros } from '../fixtures.ts'

const start = micros('2026-11-25T08:00:00Z')

describe('checkEndNotBeforeStart', () => {
  const cases: [string, number | null, string | null][] = [
    ['no end (an instant sample)', null, null],
    ['an end equal to the start', start, null],
    ['an end one microsecond later', start + 1, null],
    ['an end one microsecond earlier', start - 1, 'END_BEFORE_START'],
    ['an end a day earlier', start - 86_400_000_000, 'END_BEFORE_START'],
  ]
  for (const [what, end, reason] of cases) {
    it(`${reason === null ? 'accepts' : `rejects as ${reason}`} ${what}`, () => {
      assert.equal(checkEndNotBeforeStart(start, end)?.reason ?? null, reason)
    })
  }
  it('shows both instants in ISO 8601 in the message', () => {
    assert.equal(
      checkEndNotBeforeStart(start, start - 1_000_000)?.message,
      'endTime 2026-11-25T07:59:59Z is before startTime 2026-11-25T08:00:00Z',
    )
  })
})
