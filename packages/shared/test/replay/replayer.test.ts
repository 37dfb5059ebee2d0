import assert from 'node:assert/strict'
import { Buffer } from 'node:buffer'
import { describe, it } from 'node:test'
import { MemoryBroker, MemoryProducer } from '@healthstream/testkit/memory'
import {
  type ErrorRecord,
  errorRecord,
  type HealthSample,
  sampleErrorRecord,
} from '../../src/domain/index.ts'
import {
  AUDIT_KEY_PREFIX,
  REPLAY_HEADER,
  ReplayError,
  type ReplayPorts,
  readReplayMark,
  replayDeadLetters,
} from '../../src/replay/index.ts'
import { topicNames } from '../../src/topics.ts'

const topics = topicNames('t.')
const T0 = Date.parse('2026-01-20T00:00:00Z') * 1000

function sample(i: number): HealthSample {
  return {
    sampleId: `s${i}`,
    userId: `u${i % 2}`,
    deviceId: 'd',
    platform: 'ios',
    appVersion: null,
    batchId: 'b',
    dataType: 'heart_rate',
    value: i === 3 ? Number.NaN : 60 + i,
    unit: 'count/min',
    startTime: T0 + i,
    startOffsetMinutes: 0,
    endTime: null,
    endOffsetMinutes: null,
    sourceApp: null,
    confidence: null,
    timeZone: null,
    metadata: {},
    batchMetadata: {},
    uploadedAt: T0,
    sourceTopic: topics.raw,
    sourcePartition: 0,
    sourceOffset: i,
    sourceIndex: 0,
    writerSchemaId: 1,
    ingestedAt: T0,
    extras: null,
  }
}

/** Validator dead letters 0..n-1 (error time T0 + i s), an ingest one and a lake-writer one. */
function deadLetters(n: number): ErrorRecord[] {
  const out = Array.from({ length: n }, (_, i) =>
    sampleErrorRecord('validator', sample(i), { reason: 'BEFORE_FLOOR', message: 'old' }, T0 + i * 1_000_000),
  )
  const raw = (stage: 'ingest' | 'lake-writer', offset: number) =>
    errorRecord({
      stage,
      reasonCode: 'UNKNOWN_SCHEMA_ID',
      message: 'schema 9 unknown',
      source: { topic: topics.raw, partition: 1, offset, writerSchemaId: -1 },
      sourceIndex: null,
      userId: 'u9',
      payloadFormat: 'raw',
      payload: Buffer.from([0, 0, 0, 0, 9, offset]),
      errorTime: T0,
    })
  return [...out, raw('ingest', 7), raw('lake-writer', 8)]
}

// The dead letters travel as JSON here: the replayer only sees them through `decodeError`
const encode = (e: ErrorRecord) =>
  Buffer.from(JSON.stringify({ ...e, payload: e.payload.toString('base64') }))
const decode = (b: Buffer): ErrorRecord | null => {
  const v = JSON.parse(b.toString()) as ErrorRecord & { payload: string }
  return v.errorId === undefined ? null : { ...v, payload: Buffer.from(v.payload, 'base64') }
}

function setup(letters: readonly ErrorRecord[]) {
  const broker = new MemoryBroker()
  for (const t of Object.values(topics)) broker.createTopic(t, 2)
  broker.append(letters.map((e) => ({ topic: topics.errors, key: null, value: encode(e) })))
  let ids = 0
  const ports = (producer = new MemoryProducer(broker, 'replay'), chunkSize = 2): ReplayPorts => ({
    producer,
    readTopic: async (topic) => broker.readCommitted(topic),
    decodeError: async (value) => decode(value),
    encoders: {
      samples: (s) => Buffer.from(`samples:${JSON.stringify(s, (_k, v) => (Number.isNaN(v) ? 'NaN!' : v))}`),
      validated: (s) => Buffer.from(`validated:${JSON.stringify(s)}`),
    },
    topics,
    ledgerTopic: topics.replays,
    chunkSize,
    now: () => T0,
    newId: () => `r${++ids}`,
  })
  return { broker, ports }
}

const request = (selection: object, dryRun = false) => ({ selection, by: 'ops@example', dryRun })

describe('replaying dead letters', () => {
  it('sends each selected one to the input topic of its stage, marked, with the ledger in the same transactions', async () => {
    const { broker, ports } = setup(deadLetters(5))
    const report = await replayDeadLetters(ports(), request({ stages: ['validator', 'ingest'] }))
    assert.equal(report.selected, 6)
    assert.equal(report.replayed, 6)
    assert.deepEqual(report.topics, { [topics.samples]: 5, [topics.raw]: 1 })
    const samples = broker.readCommitted(topics.samples)
    assert.equal(samples.length, 5)
    const marks = samples.map((r) => readReplayMark(r.headers))
    assert.deepEqual(
      marks.map((m) => m?.errorId).sort(),
      deadLetters(5)
        .slice(0, 5)
        .map((e) => e.errorId)
        .sort(),
    )
    assert.ok(marks.every((m) => m?.stage === 'validator' && m.replayId === 'r1'))
    // the sample comes back as the stage decoded it, NaN included
    const third = samples.find((r) => r.value?.toString().includes('"sampleId":"s3"'))
    assert.match(third!.value!.toString(), /"value":"NaN!"/)
    const raw = broker.readCommitted(topics.raw)
    assert.deepEqual([...raw[0]!.value!], [0, 0, 0, 0, 9, 7])
    assert.equal(raw[0]!.headers.has(REPLAY_HEADER), true)
    const ledger = broker.readCommitted(topics.replays).map((r) => r.key!.toString())
    assert.equal(ledger.filter((k) => !k.startsWith(AUDIT_KEY_PREFIX)).length, 6)
    const audit = broker
      .readCommitted(topics.replays)
      .find((r) => r.key!.toString() === `${AUDIT_KEY_PREFIX}r1`)
    const entry = JSON.parse(audit!.value!.toString()) as Record<string, unknown>
    assert.equal(entry.by, 'ops@example')
    assert.equal(entry.replayed, 6)
    assert.deepEqual(entry.selection, { stages: ['validator', 'ingest'] })
  })

  it('replays a dead letter once, however often it is asked', async () => {
    const { broker, ports } = setup(deadLetters(4))
    await replayDeadLetters(ports(), request({ stages: ['validator'] }))
    const again = await replayDeadLetters(ports(), request({ stages: ['validator'] }))
    assert.equal(again.replayed, 0)
    assert.equal(again.alreadyReplayed, 4)
    assert.equal(broker.readCommitted(topics.samples).length, 4)
  })

  it('after a replay killed mid-way, the next one sends exactly what the first did not', async () => {
    const { broker, ports } = setup(deadLetters(7))
    const dying = new MemoryProducer(broker, 'replay')
    dying.faults.hangAfter('commit', 1) // the second chunk's commit never returns: a crash there
    const first = replayDeadLetters(ports(dying, 2), request({ stages: ['validator'] }))
    await new Promise((r) => setTimeout(r, 20))
    assert.equal(broker.readCommitted(topics.samples).length, 2, 'the first chunk committed')
    const second = await replayDeadLetters(
      ports(new MemoryProducer(broker, 'replay'), 2),
      request({ stages: ['validator'] }),
    )
    assert.equal(second.alreadyReplayed, 2)
    assert.equal(second.replayed, 5)
    const ids = broker.readCommitted(topics.samples).map((r) => readReplayMark(r.headers)!.errorId)
    assert.equal(ids.length, 7)
    assert.equal(new Set(ids).size, 7)
    void first
  })

  it('selects by reason, error time and id, and reports what it cannot replay', async () => {
    const letters = deadLetters(5)
    const { ports } = setup(letters)
    const byTime = await replayDeadLetters(
      ports(),
      request({ from: T0 + 1_000_000, to: T0 + 3_000_000 }, true),
    )
    assert.equal(byTime.selected, 2)
    assert.equal(byTime.replayed, 0, 'a dry run writes nothing')
    const byId = await replayDeadLetters(
      ports(),
      request({ errorIds: [letters[6]!.errorId, letters[1]!.errorId] }),
    )
    assert.equal(byId.replayed, 1)
    assert.deepEqual(Object.values(byId.notReplayable), [1])
    assert.match(Object.keys(byId.notReplayable)[0]!, /lake-writer/)
    const byReason = await replayDeadLetters(ports(), request({ reasons: ['UNKNOWN_SCHEMA_ID'] }))
    assert.equal(byReason.replayed, 1)
  })

  it('stops with the count committed so far when a transaction fails', async () => {
    const { broker, ports } = setup(deadLetters(4))
    const producer = new MemoryProducer(broker, 'replay')
    // the second transaction fails to send
    let begun = 0
    const begin = producer.begin.bind(producer)
    producer.begin = async () => {
      if (++begun === 2) producer.faults.failNext('send', new Error('broker gone'))
      return begin()
    }
    await assert.rejects(replayDeadLetters(ports(producer, 2), request({ stages: ['validator'] })), (e) => {
      assert.ok(e instanceof ReplayError)
      assert.equal(e.code, 'REPLAY_FAILED')
      assert.equal(e.replayed, 2)
      return true
    })
    assert.equal(broker.readCommitted(topics.samples).length, 2)
  })
})
