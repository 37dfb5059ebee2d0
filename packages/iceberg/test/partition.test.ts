import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { partitionSpecOf } from '../src/spec/new-table.ts'
import {
  bindPartitionSpec,
  partitionOf,
  partitionPath,
  partitionTupleKey,
  urlEncode,
} from '../src/spec/partition.ts'
import type { NestedField } from '../src/spec/types.ts'

const fields: NestedField[] = [
  { id: 1, name: 'user id', type: 'string', required: true },
  { id: 2, name: 'start', type: 'timestamptz', required: true },
  { id: 3, name: 'day', type: 'date', required: false },
  { id: 4, name: 'n', type: 'long', required: false },
  {
    id: 5,
    name: 'src',
    type: { type: 'struct', fields: [{ id: 6, name: 'p', type: 'int', required: false }] },
    required: false,
  },
]
const start = BigInt(Date.parse('2026-11-25T13:45:10.5Z')) * 1000n
const row = { 'user id': 'a/b c', start, day: 20782, n: 1234n, src: { p: 7 } }

function pathFor(transform: string, source: string, r: Record<string, unknown> = row): string {
  const bound = bindPartitionSpec(partitionSpecOf(fields, [{ source, transform }]), { schemaId: 0, fields })
  return partitionPath(bound, partitionOf(bound, r))
}

describe('partition paths, as the reference PartitionSpec.partitionToPath', () => {
  const cases: [string, string, string][] = [
    ['day', 'start', 'start_day=2026-11-25'],
    ['hour', 'start', 'start_hour=2026-11-25-13'],
    ['month', 'start', 'start_month=2026-11'],
    ['year', 'start', 'start_year=2026'],
    ['identity', 'day', 'day=2026-11-25'],
    ['identity', 'start', 'start=2026-11-25T13%3A45%3A10.5Z'],
    ['truncate[100]', 'n', 'n_trunc=1200'],
    ['identity', 'user id', 'user+id=a%2Fb+c'],
    ['identity', 'src.p', 'src.p=7'],
  ]
  for (const [transform, source, expected] of cases) {
    it(`writes ${transform}(${source}) as ${expected}`, () =>
      assert.equal(pathFor(transform, source), expected))
  }

  it('writes a bucket as its number', () => assert.match(pathFor('bucket[16]', 'n'), /^n_bucket=\d+$/))

  it('writes null partition values as "null"', () =>
    assert.equal(pathFor('identity', 'day', { ...row, day: null }), 'day=null'))

  it('joins several fields with slashes in spec order', () => {
    const bound = bindPartitionSpec(
      partitionSpecOf(fields, [
        { source: 'start', transform: 'day' },
        { source: 'n', transform: 'truncate[10]' },
      ]),
      { schemaId: 0, fields },
    )
    assert.equal(partitionPath(bound, partitionOf(bound, row)), 'start_day=2026-11-25/n_trunc=1230')
  })

  it('URL-encodes like Java URLEncoder (space as +, keeps .-*_)', () => {
    assert.equal(urlEncode('a b/c.d-e*f_g~ü'), 'a+b%2Fc.d-e*f_g%7E%C3%BC')
  })
})

describe('partition tuple keys', () => {
  it('are equal for the same tuple whether its longs are numbers or bigints and its bytes Buffers or not', () => {
    const bytes = [1, 2, 255]
    assert.equal(
      partitionTupleKey([5, 'x', new Uint8Array(bytes), null]),
      partitionTupleKey([5n, 'x', Buffer.from(bytes), null]),
    )
    assert.equal(partitionTupleKey([2n ** 60n]), partitionTupleKey([2n ** 60n]))
  })

  it('differ for different tuples', () => {
    const keys = [
      [5],
      [6],
      ['5'],
      [null],
      ['null'],
      [1, 2],
      ['1|2'],
      [new Uint8Array([1, 2])],
      ['a', 'b'],
      ['a|b'],
      [0],
      [-0],
      [Number.NaN, 1],
      [null, 1],
    ]
    const distinct = new Set(keys.map((k) => partitionTupleKey(k)))
    assert.equal(distinct.size, keys.length)
  })
})
