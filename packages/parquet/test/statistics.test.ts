/** The footer's chunk statistics: bounds in the physical type's bytes, long byte arrays shortened. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { SchemaElement } from 'hyparquet'
import { parquetMetadata } from 'hyparquet'
import { chunkStatistics } from '../src/encode/statistics.ts'
import { writeParquet } from '../src/index.ts'

const STRING: SchemaElement = { name: 's', type: 'BYTE_ARRAY', converted_type: 'UTF8' }
const BINARY: SchemaElement = { name: 'b', type: 'BYTE_ARRAY' }
const FIXED: SchemaElement = { name: 'f', type: 'FIXED_LEN_BYTE_ARRAY', type_length: 20 }
const DOUBLE: SchemaElement = { name: 'd', type: 'DOUBLE' }

const utf8 = (s: string) => new TextEncoder().encode(s)
const stats = (min: unknown, max: unknown) => ({ nulls: 1, nans: 0, min, max }) as never
const bytes = (...b: number[]) => Uint8Array.from(b)

describe('chunk statistics in the footer', () => {
  it('write a zero as -0 for the minimum and +0 for the maximum, as readers compare them physically', () => {
    const s = chunkStatistics(stats(0, 0), DOUBLE)
    assert.equal(new DataView(s.min!.buffer).getFloat64(0, true), -0)
    assert.ok(Object.is(new DataView(s.min!.buffer).getFloat64(0, true), -0))
    assert.ok(Object.is(new DataView(s.max!.buffer).getFloat64(0, true), 0))
  })

  it('keep strings of up to 16 bytes whole, with no exactness flags', () => {
    assert.deepEqual(chunkStatistics(stats('abc', 'abd'), STRING), {
      nullCount: 1,
      min: utf8('abc'),
      max: utf8('abd'),
    })
  })

  // Each case: the value, then the minimum and maximum it shortens to (undefined: kept whole)
  const cases: [string, string, string, string | undefined][] = [
    ['ASCII', 'a'.repeat(20), 'a'.repeat(16), `${'a'.repeat(15)}b`],
    ['a 2-byte character across the limit', `a${'é'.repeat(10)}`, `a${'é'.repeat(7)}`, `a${'é'.repeat(6)}ê`],
    [
      'U+007F, whose successor takes 2 bytes',
      '\u007f'.repeat(20),
      '\u007f'.repeat(16),
      `${'\u007f'.repeat(14)}\u0080`,
    ],
    [
      'U+D7FF, whose successor is U+E000',
      '\uD7FF'.repeat(20),
      '\uD7FF'.repeat(5),
      `${'\uD7FF'.repeat(4)}\uE000`,
    ],
    ['U+10FFFF, which has no successor', '\u{10FFFF}'.repeat(5), '\u{10FFFF}'.repeat(4), undefined],
  ]
  for (const [name, value, min, max] of cases) {
    it(`shorten a long string to whole code points, the maximum rounded up (${name})`, () => {
      const s = chunkStatistics(stats(value, value), STRING)
      assert.deepEqual(s.min, utf8(min))
      assert.equal(s.minExact, false)
      assert.deepEqual(s.max, utf8(max ?? value))
      assert.equal(s.maxExact, max === undefined ? undefined : false)
    })
  }

  it('shorten long binary bytewise: the maximum with its last byte below 0xFF incremented', () => {
    const value = bytes(1, 7, ...Array<number>(18).fill(0xff))
    const s = chunkStatistics(stats(value, value), BINARY)
    assert.deepEqual(s.min, value.subarray(0, 16))
    assert.deepEqual(s.max, bytes(1, 8))
    const high = Uint8Array.from(Array<number>(20).fill(0xff))
    assert.deepEqual(chunkStatistics(stats(high, high), BINARY).max, high)
  })

  it("leave the caller's bytes as they were, a Buffer's too (whose slice is a view)", () => {
    const value = Buffer.from(Array<number>(20).fill(7))
    chunkStatistics(stats(value, value), BINARY)
    assert.deepEqual(value, Buffer.from(Array<number>(20).fill(7)))
  })

  it('never shorten fixed-length bytes', () => {
    const value = Uint8Array.from({ length: 20 }, (_, i) => i)
    assert.deepEqual(chunkStatistics(stats(value, value), FIXED), { nullCount: 1, min: value, max: value })
  })

  it('are what a reader finds in the footer', () => {
    const long = 'a-string-longer-than-sixteen-bytes'
    const written = writeParquet({ fields: [{ id: 1, name: 's', type: 'string', required: false }] }, [
      { s: long },
      { s: null },
    ])
    const s = parquetMetadata(written.bytes).row_groups[0]!.columns[0]!.meta_data!.statistics!
    assert.equal(s.null_count, 1n)
    assert.equal(s.min_value, long.slice(0, 16))
    assert.equal(s.max_value, `${long.slice(0, 15)}.`) // its 16th character, "-", rounded up
    assert.equal(s.is_min_value_exact, false)
    assert.equal(s.is_max_value_exact, false)
  })
})
