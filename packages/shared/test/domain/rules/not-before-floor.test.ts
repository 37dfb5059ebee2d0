import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { checkNotBeforeFloor, DEFAULT_FLOOR_MICROS } from '../../../src/domain/index.ts'
import { micros } from '../fixtures.ts'

describe('checkNotBeforeFloor', () => {
  it('defaults the floor to 2000-01-01T00:00:00Z', () => {
    assert.equal(DEFAULT_FLOOR_MICROS, micros('2000-01-01T00:00:00Z'))
  })

  const cases: [string, string | null][] = [
    ['2000-01-01T00:00:00Z', null],
    ['2000-01-01T01:00:00+01:00', null],
    ['2026-11-25T08:00:00Z', null],
    ['1999-12-31T23:59:59.999999Z', 'BEFORE_FLOOR'],
    ['2000-01-01T00:30:00+01:00', 'BEFORE_FLOOR'],
    ['1970-01-01T00:00:00Z', 'BEFORE_FLOOR'],
  ]
  for (const [iso, reason] of cases) {
    it(`${reason === null ? 'accepts' : `rejects as ${reason}`} a start at ${iso}`, () => {
      assert.equal(checkNotBeforeFloor(micros(iso), DEFAULT_FLOOR_MICROS)?.reason ?? null, reason)
    })
  }
})
