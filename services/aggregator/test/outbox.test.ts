import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  decodeOutbox,
  decodeOutboxWithTickers,
  decodeTick,
  encodeOutbox,
  encodeTick,
  type TaggedOutput,
} from '../src/outbox.ts'

describe('the outbox', () => {
  const outputs: TaggedOutput[] = [
    {
      record: {
        topic: 'health-data-aggregates',
        key: Buffer.from('["u-1"]'),
        value: Buffer.from([0, 255, 10]),
      },
      tag: '',
    },
    {
      record: {
        topic: 'health-data-errors',
        key: null,
        value: Buffer.alloc(0),
        headers: new Map([['traceparent', Buffer.from('00-abc-01')]]),
      },
      tag: 'TOO_LATE',
    },
    { record: { topic: 't', key: Buffer.alloc(0), value: null }, tag: 'ü' },
  ]

  it('gives back exactly the records it was given: topics, keys, values, headers and tags', () => {
    assert.deepEqual(decodeOutbox(encodeOutbox(outputs)), outputs)
  })

  it('holds nothing for no outputs', () => {
    assert.deepEqual(decodeOutbox(encodeOutbox([])), [])
  })

  it('refuses truncated or trailing bytes rather than guessing', () => {
    const bytes = encodeOutbox(outputs)
    assert.throws(() => decodeOutbox(bytes.subarray(0, bytes.length - 3)), RangeError)
    assert.throws(() => decodeOutbox(Buffer.concat([bytes, Buffer.from([0])])), /trailing/)
  })

  it('keeps the format of an outbox without tickers and gives back the tickers of one with', () => {
    assert.equal(encodeOutbox(outputs)[0], 1)
    assert.deepEqual(decodeOutboxWithTickers(encodeOutbox(outputs, [3, 0])), { outputs, tickers: [3, 0] })
    assert.deepEqual(decodeOutboxWithTickers(encodeOutbox(outputs)).tickers, [])
  })

  it('gives back a tick with the first offset of the group that carried it', () => {
    assert.deepEqual(decodeTick(encodeTick(2 ** 40 + 5, outputs)), { from: 2 ** 40 + 5, outputs })
  })
})
