import type { HealthSample, RawBatch, RawSample, SourceRecord } from '../../src/domain/index.ts'
import { builtinDataTypes, parseIsoTimestamp, validationConfig } from '../../src/domain/index.ts'

/** Epoch micros of an ISO string that must parse (test helper: throws otherwise). */
export function micros(iso: string): number {
  const parsed = parseIsoTimestamp(iso)
  if (!parsed.ok) throw new Error(`fixture time ${iso} does not parse`)
  return parsed.micros
}

export const NOW = micros('2026-11-25T12:00:00Z')

export const SOURCE: SourceRecord = {
  topic: 'health-data-raw',
  partition: 3,
  offset: 1200,
  writerSchemaId: 7,
}

export const CONFIG = validationConfig({ dataTypes: builtinDataTypes() })

export function rawSample(overrides: Partial<RawSample> = {}): RawSample {
  return {
    sampleId: 's-1',
    dataType: 'heart_rate',
    value: 72,
    unit: 'count/min',
    startTime: '2026-11-25T08:15:30.123+01:00',
    endTime: null,
    sourceApp: 'com.example.watch',
    confidence: null,
    metadata: { sensor: 'ppg' },
    ...overrides,
  }
}

export function rawBatch(overrides: Partial<RawBatch> = {}): RawBatch {
  return {
    batchId: 'b-1',
    userId: 'u-1',
    deviceId: 'd-1',
    platform: 'IOS',
    appVersion: '3.2.1',
    uploadedAt: '2026-11-25T08:20:00+01:00',
    timeZone: 'Europe/Berlin',
    samples: [rawSample()],
    metadata: { upload: 'wifi' },
    ...overrides,
  }
}

/** A flattened heart-rate sample that passes every rule against NOW and CONFIG. */
export function healthSample(overrides: Partial<HealthSample> = {}): HealthSample {
  return {
    sampleId: 's-1',
    userId: 'u-1',
    deviceId: 'd-1',
    platform: 'IOS',
    appVersion: '3.2.1',
    batchId: 'b-1',
    dataType: 'heart_rate',
    value: 72,
    unit: 'count/min',
    startTime: micros('2026-11-25T08:15:30.123+01:00'),
    startOffsetMinutes: 60,
    endTime: null,
    endOffsetMinutes: null,
    sourceApp: 'com.example.watch',
    confidence: 0.5,
    timeZone: 'Europe/Berlin',
    metadata: {},
    batchMetadata: {},
    uploadedAt: micros('2026-11-25T08:20:00+01:00'),
    sourceTopic: 'health-data-raw',
    sourcePartition: 3,
    sourceOffset: 1200,
    sourceIndex: 0,
    writerSchemaId: 7,
    ingestedAt: NOW,
    extras: null,
    ...overrides,
  }
}
