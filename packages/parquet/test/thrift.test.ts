/** Thrift's compact protocol, byte by byte as its specification lays it out. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ByteSink } from '../src/encode/bytes.ts'
import { CompactWriter } from '../src/thrift/compact.ts'

function bytesOf(write: (w: CompactWriter) => void): number[] {
  const sink = new ByteSink(8)
  write(new CompactWriter(sink))
  return [...sink.view()]
}

describe('the compact protocol writer', () => {
  const cases: [string, (w: CompactWriter) => void, number[]][] = [
    [
      'an i32 as a zigzag varint, its id as a delta beside its type',
      (w) => w.struct((s) => s.i32(1, -3)),
      [0x15, 0x05, 0x00],
    ],
    [
      'a field id more than 15 above the last in a byte of its own',
      (w) => w.struct((s) => s.i32(1, 1).i32(20, 300)),
      [0x15, 0x02, 0x05, 0x28, 0xd8, 0x04, 0x00],
    ],
    [
      'an i64 beyond 32 bits',
      (w) => w.struct((s) => s.i64(2, 2 ** 40)),
      [0x26, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40, 0x00],
    ],
    [
      'booleans in the type nibble',
      (w) => w.struct((s) => s.bool(1, true).bool(2, false)),
      [0x11, 0x12, 0x00],
    ],
    [
      'nothing for a field without a value',
      (w) => w.struct((s) => s.i32(1, undefined).binary(2, undefined)),
      [0x00],
    ],
    [
      'binary as its length and bytes',
      (w) => w.struct((s) => s.string(3, 'ab')),
      [0x38, 0x02, 0x61, 0x62, 0x00],
    ],
    [
      'ids counted afresh inside a nested struct',
      (w) =>
        w.struct((s) =>
          s
            .i32(5, 0)
            .child(6, (c) => c.i32(1, 1))
            .i32(7, 2),
        ),
      [0x55, 0x00, 0x1c, 0x15, 0x02, 0x00, 0x15, 0x04, 0x00],
    ],
    [
      'a short list with its size beside the element type',
      (w) => w.struct((s) => s.i32s(1, [1, 2])),
      [0x19, 0x25, 0x02, 0x04, 0x00],
    ],
    [
      'a list of 15 or more with its size after',
      (w) => w.struct((s) => s.i32s(1, Array<number>(15).fill(0))),
      [0x19, 0xf5, 0x0f, ...Array<number>(15).fill(0), 0x00],
    ],
    [
      'a list of structs, each ended on its own',
      (w) => w.struct((s) => s.structs(1, [1, 2], (e, v) => e.i32(1, v))),
      [0x19, 0x2c, 0x15, 0x02, 0x00, 0x15, 0x04, 0x00, 0x00],
    ],
  ]
  for (const [name, write, expected] of cases)
    it(`writes ${name}`, () => assert.deepEqual(bytesOf(write), expected))
})
