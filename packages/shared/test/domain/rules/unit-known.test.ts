import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { builtinDataTypes, checkUnitKnown } from '../../../src/domain/index.ts'

const table = builtinDataTypes()

describe('checkUnitKnown', () => {
  const accepted: [string, string][] = [
    ['heart_rate', 'count/min'],
    ['body_weight', 'kg'],
    ['body_weight', 'lb'],
    ['blood_glucose', 'mmol/L'],
    ['body_temperature', 'degF'],
  ]
  for (const [type, unit] of accepted) {
    it(`accepts ${type} in ${unit}`, () => assert.equal(checkUnitKnown(table.get(type)!, unit), null))
  }

  const rejected: [string, string][] = [
    ['heart_rate', 'bpm'],
    ['blood_glucose', 'mg/dl'],
    ['body_weight', 'lbs'],
    ['steps', ''],
    ['body_temperature', 'K'],
  ]
  for (const [type, unit] of rejected) {
    it(`rejects ${type} in ${JSON.stringify(unit)} as UNKNOWN_UNIT`, () => {
      assert.equal(checkUnitKnown(table.get(type)!, unit)?.reason, 'UNKNOWN_UNIT')
    })
  }

  it('lists the accepted units in the message', () => {
    assert.match(checkUnitKnown(table.get('body_weight')!, 'stone')?.message ?? '', /accepted: kg, lb/)
  })
})
