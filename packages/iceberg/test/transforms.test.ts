import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { PrimitiveValue } from '@healthstream/parquet'
import fc from 'fast-check'
import type { PrimitiveType } from '../src/spec/types.ts'
import { dateToDays } from '../src/spec/values.ts'
import { murmur3Hash32 } from '../src/transforms/murmur3.ts'
import {
  applyTransform,
  bucketHash,
  parseTransform,
  transformResultType,
} from '../src/transforms/transforms.ts'

const micros = (iso: string): bigint => BigInt(Date.parse(iso)) * 1000n

describe('bucket hashing matches the test vectors of the spec appendix B', () => {
  const vectors: [PrimitiveType, PrimitiveValue, number][] = [
    ['int', 34, 2017239379],
    ['long', 34n, 2017239379],
    ['decimal(4,2)', 1420n, -500754589],
    ['date', dateToDays('2017-11-16'), -653330422],
    ['time', (22n * 3600n + 31n * 60n + 8n) * 1_000_000n, -662762989],
    ['timestamp', micros('2017-11-16T22:31:08Z'), -2047944441],
    ['timestamp', micros('2017-11-16T22:31:08Z') + 1n, -1207196810],
    ['timestamptz', micros('2017-11-16T14:31:08-08:00'), -2047944441],
    ['timestamptz', micros('2017-11-16T14:31:08-08:00') + 1n, -1207196810],
    ['timestamp_ns', micros('2017-11-16T22:31:08Z') * 1000n + 1001n, -1207196810],
    ['string', 'iceberg', 1210000089],
    ['uuid', 'f79c3e09-677c-4bbd-a479-3f349cb785e7', 1488055340],
    ['fixed[4]', Uint8Array.of(0, 1, 2, 3), -188683207],
    ['binary', Uint8Array.of(0, 1, 2, 3), -188683207],
  ]
  for (const [type, value, hash] of vectors) {
    it(`hashes ${type} ${String(value)} to ${hash}`, () => assert.equal(bucketHash(type, value), hash))
  }

  it('hashes ints and longs identically, so promoting int to long keeps buckets (property)', () => {
    fc.assert(fc.property(fc.integer(), (v) => bucketHash('int', v) === bucketHash('long', BigInt(v))))
  })

  it('hashes the empty input to 0', () => assert.equal(murmur3Hash32(new Uint8Array()), 0))
})

describe('partition transforms', () => {
  const cases: [string, PrimitiveType, PrimitiveValue | null, PrimitiveValue | null][] = [
    ['identity', 'string', 'a', 'a'],
    ['identity', 'float', 0.1, Math.fround(0.1)], // as a manifest gives it back
    ['identity', 'double', 0.1, 0.1],
    ['bucket[16]', 'int', 34, 2017239379 % 16],
    ['truncate[10]', 'int', 1, 0],
    ['truncate[10]', 'int', -1, -10],
    ['truncate[10]', 'long', -1n, -10n],
    ['truncate[50]', 'decimal(4,2)', 1065n, 1050n],
    ['truncate[3]', 'string', 'iceberg', 'ice'],
    ['truncate[2]', 'string', '😀😀😀', '😀😀'],
    ['year', 'date', dateToDays('2026-11-25'), 56],
    ['month', 'date', dateToDays('2026-11-25'), 56 * 12 + 10],
    ['day', 'timestamptz', micros('2026-11-25T23:59:59Z'), dateToDays('2026-11-25')],
    ['day', 'timestamptz', -1n, -1],
    ['year', 'timestamp', micros('1969-06-01T00:00:00Z'), -1],
    ['month', 'timestamp', micros('1969-12-31T23:59:59Z'), -1],
    ['hour', 'timestamptz', micros('1970-01-01T01:30:00Z'), 1],
    ['hour', 'timestamptz_ns', micros('1970-01-01T01:30:00Z') * 1000n, 1],
    ['day', 'string', null, null],
    ['void', 'long', 5n, null],
  ]
  for (const [transform, type, input, output] of cases) {
    it(`${transform} of ${type} ${String(input)} is ${String(output)}`, () => {
      assert.deepEqual(applyTransform(parseTransform(transform), type, input), output)
    })
  }

  it('truncates binary to W bytes', () => {
    assert.deepEqual(
      applyTransform(parseTransform('truncate[3]'), 'binary', Uint8Array.of(1, 2, 3, 4, 5)),
      Uint8Array.of(1, 2, 3),
    )
  })

  it('gives day a date result and year/month/hour/bucket an int result', () => {
    assert.equal(transformResultType(parseTransform('day'), 'timestamptz'), 'date')
    for (const t of ['year', 'month', 'hour', 'bucket[4]'])
      assert.equal(transformResultType(parseTransform(t), 'timestamp'), 'int')
  })

  it('rejects a transform that does not fit its source type, naming both', () => {
    assert.throws(() => transformResultType(parseTransform('hour'), 'date'), /hour cannot apply to date/)
    assert.throws(() => parseTransform('bucket[0]'), { code: 'UNSUPPORTED' })
    assert.throws(() => parseTransform('zorder'), { code: 'UNSUPPORTED' })
  })

  it('puts every truncated int at or below its input, within the width (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 1, max: 1000 }), (v, w) => {
        const t = applyTransform({ kind: 'truncate', width: w }, 'int', v) as number
        return t <= v && v - t < w && t % w === 0
      }),
    )
  })
})
