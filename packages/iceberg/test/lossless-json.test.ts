import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { parseJson, stringifyJson } from '../src/json/lossless.ts'

describe('lossless JSON', () => {
  it('keeps a snapshot id above 2^53 exact where JSON.parse rounds it', () => {
    const text = '{"snapshot-id":9223372036854775807}'
    assert.notEqual(
      String((JSON.parse(text) as { 'snapshot-id': number })['snapshot-id']),
      '9223372036854775807',
    )
    assert.deepEqual(parseJson(text), { 'snapshot-id': 9223372036854775807n })
  })

  it('parses safe integers and fractions as numbers', () => {
    assert.deepEqual(parseJson('[1, -2, 3.5, 1e3, 9007199254740991, -9007199254740992]'), [
      1,
      -2,
      3.5,
      1000,
      9007199254740991,
      -9007199254740992n,
    ])
  })

  it('writes bigints as plain integers', () => {
    assert.equal(
      stringifyJson({ a: 3051729675574597004n, b: [1, 'x', null, true] }),
      '{"a":3051729675574597004,"b":[1,"x",null,true]}',
    )
  })

  it('leaves out undefined members and pretty-prints with an indent', () => {
    assert.equal(stringifyJson({ a: undefined, b: { c: 1 } }, 2), '{\n  "b": {\n    "c": 1\n  }\n}')
  })

  it('rejects malformed text with an INVALID_METADATA error', () => {
    for (const bad of ['{', '[1,]', '{"a" 1}', 'tru', '"\\x"', '1 2', '01']) {
      assert.throws(() => parseJson(bad), { code: 'INVALID_METADATA' }, bad)
    }
  })

  it('keeps a "__proto__" key as data', () => {
    const parsed = parseJson('{"__proto__":{"x":1}}') as Record<string, unknown>
    assert.deepEqual(Object.keys(parsed), ['__proto__'])
    assert.equal(({} as Record<string, unknown>).x, undefined)
  })

  it('round-trips any JSON value, with 64-bit integers exact (property)', () => {
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.constant(null),
        fc.boolean(),
        fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d)),
        fc.integer(),
        fc
          .bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })
          .map((b) => (Number.isSafeInteger(Number(b)) ? Number(b) : b)),
        fc.string(),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(
          fc.string().filter((k) => k !== '__proto__'),
          tie('value'),
          { maxKeys: 4, noNullPrototype: true },
        ),
      ),
    })).value
    fc.assert(
      fc.property(json, (v) => {
        assert.deepEqual(parseJson(stringifyJson(v as never)), v)
        assert.deepEqual(parseJson(stringifyJson(v as never, 2)), v)
      }),
    )
  })
})
