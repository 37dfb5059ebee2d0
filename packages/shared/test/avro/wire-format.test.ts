import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { encode, parseHeader, writeHeader } from '../../src/avro/index.ts'

describe('Confluent wire format', () => {
  const headers: [string, number[], ReturnType<typeof parseHeader>][] = [
    ['schema id 1', [0, 0, 0, 0, 1, 9], { ok: true, schemaId: 1, bodyOffset: 5 }],
    ['a big-endian id', [0, 0x01, 0x02, 0x03, 0x04], { ok: true, schemaId: 0x01020304, bodyOffset: 5 }],
    [
      'the largest unsigned id',
      [0, 0xff, 0xff, 0xff, 0xff],
      { ok: true, schemaId: 0xffffffff, bodyOffset: 5 },
    ],
    ['an empty buffer as too short', [], { ok: false, reason: 'TOO_SHORT' }],
    ['four bytes as too short', [0, 0, 0, 1], { ok: false, reason: 'TOO_SHORT' }],
    ['magic byte 1 as bad magic', [1, 0, 0, 0, 1], { ok: false, reason: 'BAD_MAGIC' }],
    ['JSON text as bad magic', [...Buffer.from('{"a":1}')], { ok: false, reason: 'BAD_MAGIC' }],
  ]
  for (const [name, bytes, expected] of headers) {
    it(`parses ${name}`, () => {
      assert.deepEqual(parseHeader(Buffer.from(bytes)), expected)
    })
  }

  it('frames a body behind magic byte 0 and the id', () => {
    assert.deepEqual([...encode(258, Buffer.from([7, 8]))], [0, 0, 0, 1, 2, 7, 8])
  })

  it('reads back every id it writes', () => {
    for (const id of [0, 1, 255, 256, 65_536, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1]) {
      const parsed = parseHeader(encode(id, new Uint8Array()))
      assert.deepEqual(parsed, { ok: true, schemaId: id, bodyOffset: 5 })
    }
  })

  it('refuses ids that do not fit in four bytes', () => {
    for (const id of [-1, 2 ** 32, 1.5, Number.NaN]) {
      assert.throws(() => writeHeader(Buffer.alloc(5), id), RangeError)
    }
  })
})
