import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { civilFromDays, daysFromCivil } from '../../src/domain/index.ts'

describe('daysFromCivil', () => {
  it('agrees with Date.UTC from 1600 to 2400', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1600, max: 2400 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 28 }),
        (y, m, d) => {
          assert.equal(daysFromCivil(y, m, d) * 86_400_000, Date.UTC(y, m - 1, d))
        },
      ),
    )
  })
})

describe('civilFromDays', () => {
  it('agrees with Date from 1600 to 2400', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: daysFromCivil(1600, 1, 1), max: daysFromCivil(2400, 12, 31) }),
        (days) => {
          const date = new Date(days * 86_400_000)
          const expected = {
            year: date.getUTCFullYear(),
            month: date.getUTCMonth() + 1,
            day: date.getUTCDate(),
          }
          assert.deepEqual(civilFromDays(days), expected)
        },
      ),
    )
  })

  it('inverts daysFromCivil, before the epoch and far from it too', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1_000_000, max: 1_000_000 }), (days) => {
        const { year, month, day } = civilFromDays(days)
        assert.equal(daysFromCivil(year, month, day), days)
      }),
    )
  })

  it('reads leap days and century rules: 2000-02-29 exists, 1900-02-29 does not', () => {
    assert.deepEqual(civilFromDays(daysFromCivil(2000, 2, 29)), { year: 2000, month: 2, day: 29 })
    assert.deepEqual(civilFromDays(daysFromCivil(1900, 2, 28) + 1), { year: 1900, month: 3, day: 1 })
  })
})
