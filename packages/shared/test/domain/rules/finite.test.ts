import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { checkFinite } from '../../../src/domain/index.ts'

describe('checkFinite', () => {
  for (const value of [0, 72.5, -3, Number.MAX_VALUE, Number.MIN_VALUE]) {
    it(`accepts ${value}`, () => assert.equal(checkFinite(value), null))
  }
  for (const value of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
    it(`rejects ${value} as NOT_FINITE`, () => {
      const result = checkFinite(value)
      assert.equal(result?.reason, 'NOT_FINITE')
      assert.match(result?.message ?? '', new RegExp(String(value)))
    })
  }
  it('rejects a number smuggled in as a string as NOT_FINITE', () => {
    assert.equal(checkFinite('72' as unknown as number)?.reason, 'NOT_FINITE')
  })
})
