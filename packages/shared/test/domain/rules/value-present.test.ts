import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { checkValuePresent } from '../../../src/domain/index.ts'

describe('checkValuePresent', () => {
  for (const value of [0, -0, 72, Number.NaN, -1]) {
    it(`accepts ${value}: other rules judge it`, () => assert.equal(checkValuePresent(value), null))
  }
  for (const value of [null, undefined]) {
    it(`rejects ${value} as MISSING_VALUE`, () =>
      assert.equal(checkValuePresent(value)?.reason, 'MISSING_VALUE'))
  }
})
