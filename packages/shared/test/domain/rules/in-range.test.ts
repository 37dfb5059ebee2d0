import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { builtinDataTypes, checkInRange } from '../../../src/domain/index.ts'

const table = builtinDataTypes()

describe('checkInRange', () => {
  const inside: [string, number][] = [
    ['heart_rate', 20],
    ['heart_rate', 300],
    ['oxygen_saturation', 97.5],
    ['steps', 0],
    ['sleep_minutes', 1440],
  ]
  for (const [type, value] of inside) {
    it(`accepts ${type} ${value} (bounds are inclusive)`, () =>
      assert.equal(checkInRange(table.get(type)!, value), null))
  }

  const outside: [string, number][] = [
    ['heart_rate', 19.999],
    ['heart_rate', 301],
    ['oxygen_saturation', 100.1],
    ['steps', 100_001],
    ['body_weight', 0.5],
  ]
  for (const [type, value] of outside) {
    it(`rejects ${type} ${value} as OUT_OF_RANGE`, () => {
      assert.equal(checkInRange(table.get(type)!, value)?.reason, 'OUT_OF_RANGE')
    })
  }

  it('mentions the value as sent when it was converted', () => {
    const result = checkInRange(table.get('body_weight')!, 1200 * 0.45359237, 1200, 'lb')
    assert.match(result?.message ?? '', /\(sent as 1200 lb\) is outside \[1, 500\] kg$/)
  })
})
