import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  jsCRC32C,
  produceV3,
  produceV8,
  produceV9,
  produceV11,
  Reader,
  readRecordsBatch,
  type Writer,
} from '@platformatic/kafka'
import fc from 'fast-check'
import { onePassProduce } from '../../src/kafka/platformatic-produce-api.ts'
import {
  type ProduceMessage,
  type ProduceOptions,
  produceRequestBody,
  writesProduce,
} from '../../src/kafka/produce-request.ts'
import { encodeRecordBatch } from '../../src/kafka/record-batch.ts'

/** A sequence snapshot as the client passes it (`NumericMap.getWithDefault`). */
const sequences = (values: Record<string, number>): ProduceOptions['sequences'] => ({
  getWithDefault: (key, fallback) => values[key] ?? fallback,
})

type ClientCreate = (acks: number, timeout: number, messages: unknown[], options: unknown) => Writer
const CLIENT: [number, ClientCreate][] = [
  [3, produceV3.createRequest as unknown as ClientCreate],
  [8, produceV8.createRequest as unknown as ClientCreate],
  [9, produceV9.createRequest as unknown as ClientCreate],
  [11, produceV11.createRequest as unknown as ClientCreate],
]

/** Deep copies: both encoders normalize the messages they are given. */
const copy = (messages: ProduceMessage[]): ProduceMessage[] => messages.map((m) => ({ ...m }))

const bytes = fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a))
const message: fc.Arbitrary<ProduceMessage> = fc.record({
  topic: fc.constantFrom('health-data-validated', 'health-data-errors', 't'),
  partition: fc.integer({ min: 0, max: 5 }),
  key: fc.option(bytes, { nil: undefined }),
  value: fc.option(bytes, { nil: null }),
  headers: fc.option(
    fc
      .array(fc.tuple(fc.string({ maxLength: 20 }), fc.option(bytes, { nil: null })), { maxLength: 4 })
      .map((pairs) => new Map(pairs.map(([k, v]) => [Buffer.from(k), v] as [Buffer, Buffer | null]))),
    { nil: undefined },
  ),
  // Out of order, so deltas are negative too; within 2^31 ms of each other, as the client truncates
  // larger deltas (its varlong keeps 32 bits; 'keeps timestamp deltas beyond 32 bits' below)
  timestamp: fc.bigInt({ min: 1_700_000_000_000n, max: 1_700_000_000_000n + (1n << 30n) }),
})

describe('Produce request body', () => {
  it('is byte for byte what the client writes, for every version and any records', () => {
    fc.assert(
      fc.property(
        fc.array(message, { minLength: 1, maxLength: 40 }),
        fc.constantFrom(...CLIENT),
        fc.option(fc.constantFrom('txn-validator-0', 'é-unicode'), { nil: undefined }),
        (messages, [version, create], transactionalId) => {
          const options: ProduceOptions = {
            transactionalId,
            producerId: 4711n,
            producerEpoch: 3,
            sequences: sequences({ 'health-data-validated:2': 1000, 't:0': 2 ** 31 - 5 }),
          }
          const ours = produceRequestBody(version, -1, 60_000, copy(messages), options)
          const theirs = create(-1, 60_000, copy(messages), options).buffer
          assert.deepEqual(ours, theirs)
        },
      ),
      { numRuns: 300 },
    )
  })

  it('gives messages without partition or timestamp partition 0 and the time now, as the client does', () => {
    const messages: ProduceMessage[] = [{ topic: 't', value: Buffer.from('v') }]
    const before = BigInt(Date.now())
    produceRequestBody(11, -1, 1000, messages, {})
    assert.equal(messages[0]!.partition, 0)
    assert.ok(messages[0]!.timestamp! >= before && messages[0]!.timestamp! <= BigInt(Date.now()))
  })

  it('leaves compressed requests and unknown versions to the client', () => {
    assert.equal(writesProduce(11, {}), true)
    assert.equal(writesProduce(11, { compression: 'none' }), true)
    assert.equal(writesProduce(11, { compression: 'zstd' }), false)
    assert.equal(writesProduce(2, {}), false)
    assert.equal(writesProduce(12, {}), false)
  })
})

describe('record batch', () => {
  it('reads back with the client’s reader: records, producer, sequence and a valid CRC', () => {
    const records = [
      { key: Buffer.from('user-1'), value: Buffer.from('a'), timestamp: 1_700_000_000_500n },
      {
        key: null,
        value: null,
        timestamp: 1_700_000_000_000n,
        headers: new Map([[Buffer.from('h'), Buffer.from('x')]]),
      },
    ]
    const batch = encodeRecordBatch(records, {
      producerId: 9n,
      producerEpoch: 1,
      firstSequence: 77,
      transactional: true,
    })
    const read = readRecordsBatch(Reader.from(batch))
    assert.equal(read.producerId, 9n)
    assert.equal(read.producerEpoch, 1)
    assert.equal(read.firstSequence, 77)
    assert.equal(read.attributes, 1 << 4)
    assert.equal(read.lastOffsetDelta, 1)
    assert.equal(read.firstTimestamp, 1_700_000_000_500n)
    assert.equal(read.maxTimestamp, 1_700_000_000_500n)
    assert.equal(read.length, batch.length - 12)
    assert.deepEqual(
      read.records.map((r) => [
        r.key?.toString() ?? null,
        r.value?.toString() ?? null,
        r.timestampDelta,
        r.offsetDelta,
        r.headers.length,
      ]),
      [
        ['user-1', 'a', 0n, 0, 0],
        [null, null, -500n, 1, 1],
      ],
    )
    // The CRC (Castagnoli) covers attributes to the end: checked with the client's table-driven one
    assert.equal(batch.readUInt32BE(17), jsCRC32C(batch.subarray(21)))
  })

  it('keeps timestamp deltas beyond 32 bits (records more than 24.8 days apart)', () => {
    const far = [-(1n << 35n), -1n, 1n << 31n, 1n << 35n]
    const records = [
      { timestamp: 1_700_000_000_000n },
      ...far.map((d) => ({ timestamp: 1_700_000_000_000n + d })),
    ]
    const batch = encodeRecordBatch(records, {
      producerId: -1n,
      producerEpoch: -1,
      firstSequence: -1,
      transactional: false,
    })
    const read = readRecordsBatch(Reader.from(batch))
    assert.deepEqual(
      read.records.map((r) => r.timestampDelta),
      [0n, ...far],
    )
    assert.equal(read.maxTimestamp, 1_700_000_000_000n + (1n << 35n))
  })
})

describe('the Produce API of the transactional producer', () => {
  /** A connection that records what the API asks it to send. */
  const connection = () => {
    const sent: { key: number; version: number; payload: Buffer; pieces: number }[] = []
    return {
      sent,
      send(key: number, version: number, createPayload: () => Writer) {
        const writer = createPayload()
        sent.push({ key, version, payload: writer.buffer, pieces: writer.buffers.length })
      },
    }
  }
  const messages = (): ProduceMessage[] => [
    {
      topic: 't',
      partition: 1,
      key: Buffer.from('k'),
      value: Buffer.from('v'),
      timestamp: 1_700_000_000_000n,
    },
  ]
  const options = { transactionalId: 'txn', producerId: 7n, producerEpoch: 1, sequences: sequences({}) }

  it('writes uncompressed requests itself, the same bytes at the same version', () => {
    const wire = connection()
    const api = onePassProduce(produceV11.api) as unknown as (...args: unknown[]) => void
    api(wire, -1, 1000, messages(), options, () => undefined)
    const theirs = (produceV11.createRequest as unknown as ClientCreate)(-1, 1000, messages(), options).buffer
    assert.deepEqual(
      wire.sent.map((s) => [s.key, s.version]),
      [[0, 11]],
    )
    assert.deepEqual(wire.sent[0]!.payload, theirs)
    assert.equal(wire.sent[0]!.pieces, 1, 'one buffer, where the client’s writer holds one per field')
  })

  it('hands compressed requests to the client’s own API', () => {
    let called: unknown[] | undefined
    const client = Object.assign(
      (...args: unknown[]) => {
        called = args
      },
      {
        key: 0,
        version: 11,
        async: async () => undefined,
      },
    )
    const wire = connection()
    const compressed = { ...options, compression: 'zstd' }
    onePassProduce(client as never)(wire as never, -1, 1000, messages(), compressed, () => undefined)
    assert.equal(wire.sent.length, 0)
    assert.equal(called?.[4], compressed)
  })
})
