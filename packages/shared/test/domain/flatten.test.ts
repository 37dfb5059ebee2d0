import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import type { RawSample } from '../../src/domain/index.ts'
import { flattenBatch, ReasonCode } from '../../src/domain/index.ts'
import { micros, NOW, rawBatch, rawSample, SOURCE } from './fixtures.ts'

describe('flattenBatch', () => {
  it('turns each sample of a batch into a sample with batch fields, micros and provenance', () => {
    const { samples, errors } = flattenBatch(rawBatch(), SOURCE, NOW)
    assert.deepEqual(errors, [])
    assert.deepEqual(samples, [
      {
        sampleId: 's-1',
        userId: 'u-1',
        deviceId: 'd-1',
        platform: 'IOS',
        appVersion: '3.2.1',
        batchId: 'b-1',
        dataType: 'heart_rate',
        value: 72,
        unit: 'count/min',
        startTime: micros('2026-11-25T07:15:30.123Z'),
        startOffsetMinutes: 60,
        endTime: null,
        endOffsetMinutes: null,
        sourceApp: 'com.example.watch',
        confidence: null,
        timeZone: 'Europe/Berlin',
        metadata: { sensor: 'ppg' },
        batchMetadata: { upload: 'wifi' },
        uploadedAt: micros('2026-11-25T07:20:00Z'),
        sourceTopic: 'health-data-raw',
        sourcePartition: 3,
        sourceOffset: 1200,
        sourceIndex: 0,
        writerSchemaId: 7,
        ingestedAt: NOW,
        extras: null,
      },
    ])
  })

  it('keeps the end time and its own offset for interval samples', () => {
    const batch = rawBatch({
      samples: [
        rawSample({
          dataType: 'steps',
          startTime: '2026-11-25T08:00:00+01:00',
          endTime: '2026-11-25T03:00:00-05:00',
        }),
      ],
    })
    const [sample] = flattenBatch(batch, SOURCE, NOW).samples
    assert.equal(sample?.endTime, micros('2026-11-25T08:00:00Z'))
    assert.equal(sample?.endOffsetMinutes, -300)
  })

  it('reads v1 data (no timeZone, no confidence) as nulls', () => {
    const v1 = rawBatch({ timeZone: null, samples: [{ ...rawSample(), confidence: null }] })
    delete v1.timeZone
    delete v1.samples[0]!.confidence
    const [sample] = flattenBatch(v1, SOURCE, NOW).samples
    assert.equal(sample?.timeZone, null)
    assert.equal(sample?.confidence, null)
  })

  it('carries v2 confidence through', () => {
    const [sample] = flattenBatch(
      rawBatch({ samples: [rawSample({ confidence: 0.75 })] }),
      SOURCE,
      NOW,
    ).samples
    assert.equal(sample?.confidence, 0.75)
  })

  it('numbers samples by their position in the batch', () => {
    const batch = rawBatch({ samples: [rawSample({ sampleId: 'a' }), rawSample({ sampleId: 'b' })] })
    assert.deepEqual(
      flattenBatch(batch, SOURCE, NOW).samples.map((s) => [s.sampleId, s.sourceIndex]),
      [
        ['a', 0],
        ['b', 1],
      ],
    )
  })

  it('passes values it does not judge (null, NaN, negative) on to the validator', () => {
    const values = [null, Number.NaN, -1]
    const batch = rawBatch({ samples: values.map((value) => rawSample({ value })) })
    assert.deepEqual(
      flattenBatch(batch, SOURCE, NOW).samples.map((s) => s.value),
      values,
    )
  })

  it('yields nothing for an empty batch', () => {
    assert.deepEqual(flattenBatch(rawBatch({ samples: [] }), SOURCE, NOW), { samples: [], errors: [] })
  })
})

describe('flattenBatch with unreadable times', () => {
  const bad: [string, Partial<RawSample>][] = [
    ['startTime 2026-02-30T00:00:00Z', { startTime: '2026-02-30T00:00:00Z' }],
    ['startTime 2026-11-25T08:15:30 without an offset', { startTime: '2026-11-25T08:15:30' }],
    ['endTime 2026-11-25T25:00:00Z', { endTime: '2026-11-25T25:00:00Z' }],
  ]
  for (const [what, overrides] of bad) {
    it(`rejects a sample with ${what} as BAD_TIMESTAMP at stage ingest`, () => {
      const batch = rawBatch({
        samples: [rawSample({ sampleId: 'good' }), rawSample({ sampleId: 'bad', ...overrides })],
      })
      const { samples, errors } = flattenBatch(batch, SOURCE, NOW)
      assert.deepEqual(
        samples.map((s) => s.sampleId),
        ['good'],
      )
      assert.equal(errors.length, 1)
      const [error] = errors
      assert.equal(error?.reasonCode, ReasonCode.BAD_TIMESTAMP)
      assert.equal(error?.stage, 'ingest')
      assert.equal(error?.errorId, 'ingest:health-data-raw:3:1200:1')
      assert.equal(error?.sampleId, 'bad')
      assert.equal(error?.errorTime, NOW)
      assert.equal(error?.writerSchemaId, 7)
    })
  }

  it('names the field and the value in the message', () => {
    const batch = rawBatch({ samples: [rawSample({ endTime: 'yesterday' })] })
    const [error] = flattenBatch(batch, SOURCE, NOW).errors
    assert.match(error?.message ?? '', /^endTime "yesterday" is not/)
  })

  it('keeps the event time of a sample whose start parsed but whose end did not', () => {
    const batch = rawBatch({ samples: [rawSample({ endTime: 'nope' })] })
    assert.equal(flattenBatch(batch, SOURCE, NOW).errors[0]?.occurredAt, micros('2026-11-25T07:15:30.123Z'))
  })

  it('stores a replayable one-sample batch as JSON payload', () => {
    const sample = rawSample({ startTime: 'nope', value: Number.NaN })
    const [error] = flattenBatch(rawBatch({ samples: [rawSample(), sample] }), SOURCE, NOW).errors
    assert.equal(error?.payloadFormat, 'json')
    const payload = JSON.parse(error?.payload.toString('utf8') ?? '')
    assert.equal(payload.batchId, 'b-1')
    assert.deepEqual(payload.samples, [{ ...sample, value: 'NaN' }])
  })

  it('rejects every sample of a batch whose uploadedAt is unreadable', () => {
    const batch = rawBatch({ uploadedAt: '2026-11-25T08:20:00', samples: [rawSample(), rawSample()] })
    const { samples, errors } = flattenBatch(batch, SOURCE, NOW)
    assert.equal(samples.length, 0)
    assert.deepEqual(
      errors.map((e) => [e.errorId, e.message.startsWith('uploadedAt')]),
      [
        ['ingest:health-data-raw:3:1200:0', true],
        ['ingest:health-data-raw:3:1200:1', true],
      ],
    )
  })
})

describe('flattenBatch properties', () => {
  const time = fc.oneof(
    fc.constantFrom('2026-11-25T08:15:30.123+01:00', '2026-11-25T07:00:00Z'),
    fc.constantFrom('2026-02-30T00:00:00Z', '2026-11-25T08:15:30', 'garbage'),
  )
  const sample = fc.record({ startTime: time, endTime: fc.option(time, { nil: null }) })

  it('accounts for every input sample exactly once, in order, with the same ids on a rerun', () => {
    fc.assert(
      fc.property(fc.array(sample, { maxLength: 20 }), (overrides) => {
        const batch = rawBatch({ samples: overrides.map((o, i) => rawSample({ ...o, sampleId: `s${i}` })) })
        const first = flattenBatch(batch, SOURCE, NOW)
        const indexes = [
          ...first.samples.map((s) => s.sourceIndex),
          ...first.errors.map((e) => e.sourceIndex),
        ]
        assert.deepEqual(
          indexes.sort((a, b) => (a ?? 0) - (b ?? 0)),
          overrides.map((_, i) => i),
        )
        assert.deepEqual(flattenBatch(batch, SOURCE, NOW), first)
      }),
    )
  })
})
