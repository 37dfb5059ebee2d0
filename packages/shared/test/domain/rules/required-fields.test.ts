import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { RequiredFields } from '../../../src/domain/index.ts'
import { checkRequiredFields } from '../../../src/domain/index.ts'

const complete: RequiredFields = {
  sampleId: 's',
  userId: 'u',
  dataType: 'steps',
  unit: 'count',
  startTime: 0,
}

describe('checkRequiredFields', () => {
  it('accepts a sample with all required fields', () => assert.equal(checkRequiredFields(complete), null))

  const missing: [string, Partial<Record<keyof RequiredFields, unknown>>, RegExp][] = [
    ['an empty sampleId', { sampleId: '' }, /^sampleId/],
    ['a blank userId', { userId: '  \t' }, /^userId/],
    ['a null dataType', { dataType: null }, /^dataType/],
    ['an undefined unit', { unit: undefined }, /^unit/],
    ['a NaN startTime', { startTime: Number.NaN }, /^startTime/],
    ['a fractional startTime', { startTime: 1.5 }, /^startTime/],
    ['a null startTime', { startTime: null }, /^startTime/],
  ]
  for (const [what, overrides, message] of missing) {
    it(`rejects ${what} as MISSING_FIELD`, () => {
      const result = checkRequiredFields({ ...complete, ...overrides } as RequiredFields)
      assert.equal(result?.reason, 'MISSING_FIELD')
      assert.match(result?.message ?? '', message)
    })
  }

  it('names the first missing field in the order sampleId, userId, dataType, unit, startTime', () => {
    const result = checkRequiredFields({
      sampleId: 's',
      userId: '',
      dataType: '',
      unit: '',
      startTime: Number.NaN,
    })
    assert.match(result?.message ?? '', /^userId/)
  })
})
