import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { checkNonNegative } from '../../../src/domain/index.ts'

describe('checkNonNegative', () => {
  for (const value of [0, -0, 0.001, 100_000]) {
    it(`accepts ${Object.is(value, -0) ? '-0' : value}`, () => assert.equal(checkNonNegative(value), null))
  }
  for (const value of [-1, -0.0001, -Number.MAX_VALUE]) {
    it(`rejects ${value} as NEGATIVE_VALUE`, () =>
      assert.equal(checkNonNegative(value)?.reason, 'NEGATIVE_VALUE'))
  }
})
