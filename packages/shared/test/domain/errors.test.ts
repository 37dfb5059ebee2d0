import assert from 'node:assert/strict'
import { Buffer } from 'node:buffer'
import { describe, it } from 'node:test'
import { errorId, errorRecord, jsonPayload, sampleErrorRecord } from '../../src/domain/index.ts'
import { healthSample, NOW, SOURCE } from './fixtures.ts'

describe('errorId', () => {
  it('joins stage and source coordinates, with the sample index when there is one', () => {
    assert.equal(errorId('ingest', 'health-data-raw', 3, 1200, 7), 'ingest:health-data-raw:3:1200:7')
    assert.equal(errorId('ingest', 'health-data-raw', 3, 1200, null), 'ingest:health-data-raw:3:1200')
  })
})

describe('errorRecord', () => {
  it('keeps the original bytes of an undecodable message and fills unknowns with null', () => {
    const bytes = Buffer.from([1, 2, 3])
    const record = errorRecord({
      stage: 'ingest',
      reasonCode: 'BAD_MAGIC',
      message: 'magic byte 1',
      source: { ...SOURCE, writerSchemaId: -1 },
      sourceIndex: null,
      payloadFormat: 'raw',
      payload: bytes,
      errorTime: NOW,
    })
    assert.deepEqual(record, {
      errorId: 'ingest:health-data-raw:3:1200',
      stage: 'ingest',
      reasonCode: 'BAD_MAGIC',
      message: 'magic byte 1',
      sourceTopic: 'health-data-raw',
      sourcePartition: 3,
      sourceOffset: 1200,
      sourceIndex: null,
      userId: null,
      sampleId: null,
      dataType: null,
      payloadFormat: 'raw',
      payload: bytes,
      writerSchemaId: null,
      errorTime: NOW,
      occurredAt: null,
      replayOf: null,
    })
  })
})

describe('sampleErrorRecord', () => {
  const rejection = { reason: 'OUT_OF_RANGE', message: 'too fast' } as const

  it('derives the id from the sample provenance so a replayed sample gets the same id', () => {
    const record = sampleErrorRecord('validator', healthSample({ sourceIndex: 2 }), rejection, NOW)
    assert.equal(record.errorId, 'validator:health-data-raw:3:1200:2')
    assert.equal(record.occurredAt, healthSample().startTime)
    assert.equal(record.writerSchemaId, 7)
  })

  it('stores the sample as JSON, or the consumed bytes when given', () => {
    const sample = healthSample({ value: Number.POSITIVE_INFINITY })
    const asJson = sampleErrorRecord('validator', sample, rejection, NOW)
    assert.equal(asJson.payloadFormat, 'json')
    assert.equal(JSON.parse(asJson.payload.toString()).value, 'Infinity')
    const raw = Buffer.from([0, 0, 0, 0, 9])
    const asRaw = sampleErrorRecord('validator', sample, rejection, NOW, raw)
    assert.deepEqual([asRaw.payloadFormat, asRaw.payload], ['raw', raw])
  })
})

describe('jsonPayload', () => {
  it('writes NaN and infinities as strings instead of null', () => {
    const text = jsonPayload({ a: Number.NaN, b: Number.NEGATIVE_INFINITY, c: 1 }).toString('utf8')
    assert.equal(text, '{"a":"NaN","b":"-Infinity","c":1}')
  })
})
