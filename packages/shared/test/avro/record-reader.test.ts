import assert from 'node:assert/strict'
import { Buffer } from 'node:buffer'
import { describe, it } from 'node:test'
import avsc from 'avsc'
import fc from 'fast-check'
import {
  compileColumnReader,
  compileRecordMaker,
  compileRecordReader,
  recordEnd,
} from '../../src/avro/record-reader.ts'
import { schemaText } from '../../src/avro/registry.ts'
import { AvroReadError } from '../../src/avro/value-readers.ts'
import { TopicSchemas } from '../../src/topics.ts'

/** Every type the reader takes, in one record: unions of several branches, blocks, enums, fixed. */
const EVERYTHING = avsc.Type.forSchema({
  type: 'record',
  name: 'Everything',
  fields: [
    { name: 'n', type: 'null' },
    { name: 'b', type: 'boolean' },
    { name: 'i', type: 'int' },
    { name: 'l', type: 'long' },
    { name: 'ts', type: { type: 'long', logicalType: 'timestamp-micros' } },
    { name: 'f', type: 'float' },
    { name: 'd', type: 'double' },
    { name: 's', type: 'string' },
    { name: 'by', type: 'bytes' },
    { name: 'fx', type: { type: 'fixed', name: 'Four', size: 4 } },
    { name: 'e', type: { type: 'enum', name: 'Color', symbols: ['RED', 'GREEN', 'BLUE'] } },
    { name: 'u', type: ['null', 'string'] },
    { name: 'u2', type: ['long', 'null'] },
    { name: 'a', type: { type: 'array', items: 'string' } },
    { name: 'm', type: { type: 'map', values: ['null', 'double'] } },
    { name: 'am', type: { type: 'array', items: { type: 'map', values: 'long' } } },
    { name: 'dropped', type: 'string' },
  ],
})

const VALIDATED = avsc.Type.forSchema(JSON.parse(schemaText(TopicSchemas.validated)))

/** avsc's value as plain objects (avsc's records are instances of generated classes). */
function plain(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return value
  if (Array.isArray(value)) return value.map(plain)
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]))
  return value
}

function readAll(type: avsc.Type, bytes: Buffer, keyOf: (f: string) => string | undefined = (f) => f) {
  const reader = compileRecordReader(type, keyOf)!
  const target: Record<string, unknown> = {}
  const end = reader(bytes, 0, target)
  return { end, target }
}

describe('reading Avro records straight into columns', () => {
  it('appends to each field’s sink the value the record reader reads, record after record, and drops the rest', () => {
    const fields = (EVERYTHING as unknown as { fields: { name: string }[] }).fields.map((f) => f.name)
    // sinks in another order than the fields; `dropped` has none
    const order = fields.filter((f) => f !== 'dropped').reverse()
    const reader = compileColumnReader(EVERYTHING, (f) => (f === 'dropped' ? undefined : order.indexOf(f)))!
    const sinks = order.map(() => [] as unknown[])
    const expected = order.map(() => [] as unknown[])
    for (let k = 0; k < 100; k++) {
      const bytes = EVERYTHING.toBuffer(EVERYTHING.random())
      assert.equal(reader(bytes, 0, sinks), bytes.length)
      const { target } = readAll(EVERYTHING, bytes)
      for (const [i, f] of order.entries()) expected[i]!.push(target[f])
    }
    assert.deepEqual(sinks, expected)
  })

  it('refuses a sink index that is not one', () => {
    assert.throws(() => compileColumnReader(EVERYTHING, () => 1.5), /not a sink index/)
    assert.throws(() => compileColumnReader(EVERYTHING, () => -1), /not a sink index/)
  })
})

describe('reading an Avro record straight into a target', () => {
  for (const [name, type] of [
    ['every type', EVERYTHING],
    ['the validated sample', VALIDATED],
  ] as const) {
    it(`reads what avsc reads, for random values of ${name}`, () => {
      for (let k = 0; k < 300; k++) {
        const value = type.random()
        const bytes = type.toBuffer(value)
        const { end, target } = readAll(type, bytes)
        assert.equal(end, bytes.length)
        assert.deepEqual(target, plain({ ...type.fromBuffer(bytes) }))
      }
    })
  }

  it('reads repeating, almost repeating and never repeating strings right, one record after another', () => {
    const type = avsc.Type.forSchema({
      type: 'record',
      name: 'S',
      fields: [
        { name: 'user', type: 'string' },
        { name: 'zone', type: ['null', 'string'] },
        { name: 'tags', type: { type: 'array', items: 'string' } },
      ],
    })
    const reader = compileRecordReader(type, (f) => f)!
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            // few values of one length (differing in one byte), é and 𝔘 for multi-byte UTF-8
            user: fc.constantFrom('user-a', 'user-b', 'user-é', 'üser-a', '𝔘ser-a'),
            zone: fc.option(fc.constantFrom('Europe/Paris', 'Europe/Parix', '')),
            tags: fc.array(fc.oneof(fc.string(), fc.constantFrom('x', 'y')), { maxLength: 3 }),
          }),
          { maxLength: 1500 },
        ),
        (values) => {
          for (const v of values) {
            const target: Record<string, unknown> = {}
            const bytes = type.toBuffer(v)
            assert.equal(reader(bytes, 0, target), bytes.length)
            assert.deepEqual(target, { ...type.fromBuffer(bytes) })
          }
        },
      ),
      { numRuns: 30 },
    )
  })

  it('writes each field under the key it is given, and reads past the fields given none', () => {
    const value = EVERYTHING.random() as unknown as Record<string, unknown>
    const bytes = EVERYTHING.toBuffer(value)
    const { end, target } = readAll(EVERYTHING, bytes, (f) => (f === 'dropped' ? undefined : `col_${f}`))
    assert.equal(end, bytes.length)
    assert.equal(target.col_s, value.s)
    assert.equal(target.col_e, value.e)
    assert.equal('col_dropped' in target || 'dropped' in target, false)
  })

  it('throws AvroReadError on every truncation, never reading past the end', () => {
    for (let k = 0; k < 40; k++) {
      const bytes = VALIDATED.toBuffer(VALIDATED.random())
      for (let cut = 0; cut < bytes.length; cut++) {
        const prefix = bytes.subarray(0, cut)
        try {
          const { end } = readAll(VALIDATED, prefix)
          assert.ok(end <= cut, 'a prefix read as a whole record ends inside it')
        } catch (error) {
          assert.ok(error instanceof AvroReadError, String(error))
        }
      }
    }
  })

  it('turns garbage into AvroReadError (or a short read), never another error or a runaway allocation', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (garbage) => {
        try {
          const { end } = readAll(EVERYTHING, Buffer.from(garbage))
          assert.ok(end <= garbage.length)
        } catch (error) {
          assert.ok(error instanceof AvroReadError, String(error))
        }
      }),
      { numRuns: 2000 },
    )
  })

  it('refuses a long that a number cannot hold exactly, as avsc does', () => {
    const type = avsc.Type.forSchema({ type: 'record', name: 'L', fields: [{ name: 'l', type: 'long' }] })
    // zig-zag varint of 2^60
    const big = Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20])
    assert.throws(() => readAll(type, big), AvroReadError)
    assert.throws(() => type.fromBuffer(big), /precision/)
  })

  it('does not take nested records (the caller decodes those with avsc)', () => {
    const nested = avsc.Type.forSchema({
      type: 'record',
      name: 'Outer',
      fields: [
        { name: 'inner', type: { type: 'record', name: 'Inner', fields: [{ name: 'x', type: 'int' }] } },
      ],
    })
    assert.equal(
      compileRecordReader(nested, (f) => f),
      undefined,
    )
  })
})

describe('making an Avro record as one object', () => {
  const make = (type: avsc.Type, bytes: Buffer) => {
    const value = compileRecordMaker(type)!(bytes, 0)
    return { value, end: recordEnd() }
  }

  for (const [name, type] of [
    ['every type', EVERYTHING],
    ['the validated sample', VALIDATED],
  ] as const) {
    it(`makes what avsc reads and the record reader fills, for random values of ${name}`, () => {
      for (let k = 0; k < 300; k++) {
        const bytes = type.toBuffer(type.random())
        const { value, end } = make(type, bytes)
        assert.equal(end, bytes.length)
        assert.deepEqual(value, plain({ ...type.fromBuffer(bytes) }))
        assert.deepEqual(Object.keys(value), Object.keys(readAll(type, bytes).target), 'fields in order')
      }
    })
  }

  it('reports the end of each record when records follow one another in one buffer', () => {
    const values = [VALIDATED.random(), VALIDATED.random()]
    const bytes = Buffer.concat(values.map((v) => VALIDATED.toBuffer(v)))
    const maker = compileRecordMaker(VALIDATED)!
    const first = maker(bytes, 0)
    const middle = recordEnd()
    assert.equal(middle, VALIDATED.toBuffer(values[0]).length)
    assert.deepEqual(maker(bytes, middle), plain({ ...VALIDATED.fromBuffer(VALIDATED.toBuffer(values[1])) }))
    assert.equal(recordEnd(), bytes.length)
    assert.deepEqual(first, plain({ ...VALIDATED.fromBuffer(VALIDATED.toBuffer(values[0])) }))
  })

  it('turns every truncation and garbage into AvroReadError, never another error', () => {
    const bytes = VALIDATED.toBuffer(VALIDATED.random())
    for (let cut = 0; cut < bytes.length; cut++) {
      try {
        make(VALIDATED, bytes.subarray(0, cut))
        assert.ok(recordEnd() <= cut, 'a prefix read as a whole record ends inside it')
      } catch (error) {
        assert.ok(error instanceof AvroReadError, String(error))
      }
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (garbage) => {
        try {
          make(EVERYTHING, Buffer.from(garbage))
          assert.ok(recordEnd() <= garbage.length)
        } catch (error) {
          assert.ok(error instanceof AvroReadError, String(error))
        }
      }),
      { numRuns: 2000 },
    )
  })

  it('makes nothing of a type it does not read (nested records)', () => {
    const nested = avsc.Type.forSchema({
      type: 'record',
      name: 'Outer',
      fields: [
        { name: 'inner', type: { type: 'record', name: 'Inner', fields: [{ name: 'x', type: 'int' }] } },
      ],
    })
    assert.equal(compileRecordMaker(nested), undefined)
  })
})
