import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { PrimitiveValue } from '@healthstream/parquet'
import fc from 'fast-check'
import { fromBytes, toBytes, truncateLower, truncateUpper } from '../src/spec/single-value.ts'
import type { PrimitiveType } from '../src/spec/types.ts'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

describe('binary single-value serialization (spec appendix D)', () => {
  const cases: [PrimitiveType, PrimitiveValue, string][] = [
    ['boolean', true, '01'],
    ['boolean', false, '00'],
    ['int', 34, '22000000'],
    ['int', -1, 'ffffffff'],
    ['date', 20782, '2e510000'],
    ['long', 34n, '2200000000000000'],
    ['long', -(2n ** 63n), '0000000000000080'],
    ['timestamptz', 1_795_651_200_000_000n, '00a0ea9f22610600'],
    ['float', 1, '0000803f'],
    ['double', -2.5, '00000000000004c0'],
    ['string', 'iceberg', '69636562657267'],
    ['string', 'é', 'c3a9'],
    ['uuid', 'f79c3e09-677c-4bbd-a479-3f349cb785e7', 'f79c3e09677c4bbda4793f349cb785e7'],
    ['binary', Uint8Array.of(0, 1, 2, 255), '000102ff'],
    ['decimal(9,2)', 1420n, '058c'],
    ['decimal(9,2)', -1n, 'ff'],
    ['decimal(9,2)', 128n, '0080'],
  ]
  for (const [type, value, expected] of cases) {
    it(`writes ${type} ${String(value)} as ${expected} and reads it back`, () => {
      const bytes = toBytes(type, value)
      assert.equal(hex(bytes), expected)
      assert.deepEqual(fromBytes(type, bytes), value)
    })
  }

  const roundTrips: [PrimitiveType, fc.Arbitrary<PrimitiveValue>][] = [
    ['int', fc.integer()],
    ['long', fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })],
    ['double', fc.double({ noNaN: true })],
    ['float', fc.float({ noNaN: true })],
    ['string', fc.string({ unit: 'grapheme' })],
    ['binary', fc.uint8Array()],
    ['uuid', fc.uuid()],
    ['decimal(38,0)', fc.bigInt({ min: -(10n ** 38n) + 1n, max: 10n ** 38n - 1n })],
    ['boolean', fc.boolean()],
  ]
  for (const [type, arb] of roundTrips) {
    it(`round-trips any ${type} (property)`, () => {
      fc.assert(fc.property(arb, (v) => assert.deepEqual(fromBytes(type, toBytes(type, v)), v)))
    })
  }
})

describe('bound truncation', () => {
  it('cuts a long string lower bound to 16 code points', () => {
    assert.equal(truncateLower('string', 'abcdefghijklmnopqrstuvwxyz'), 'abcdefghijklmnop')
  })

  it('cuts a long string upper bound and increments its last code point so it stays above', () => {
    assert.equal(truncateUpper('string', 'abcdefghijklmnopqrstuvwxyz'), 'abcdefghijklmnoq')
    assert.equal(truncateUpper('string', 'short'), 'short')
  })

  it('carries past the highest code point and gives up when nothing can be incremented', () => {
    const top = String.fromCodePoint(0x10ffff)
    assert.equal(truncateUpper('string', `a${top.repeat(16)}`, 2), 'b')
    assert.equal(truncateUpper('string', top.repeat(3), 2), undefined)
  })

  it('increments binary upper bounds by byte, dropping 0xff bytes', () => {
    assert.deepEqual(truncateUpper('binary', Uint8Array.of(1, 0xff, 0xff, 3), 3), Uint8Array.of(2))
  })

  it('keeps every truncated upper bound at or above the value (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 17 }), (s) => {
        const up = truncateUpper('string', s)
        return up === undefined || Buffer.compare(Buffer.from(up as string), Buffer.from(s)) >= 0
      }),
    )
  })
})
