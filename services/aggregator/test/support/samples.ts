import type { ValidatedSample } from '@healthstream/shared/domain'
import type { AggregationSample } from '../../src/windows/step.ts'

/** Epoch micros of an ISO instant. */
export const us = (iso: string): number => Date.parse(iso) * 1000

/** ISO instant of epoch micros (for readable assertion messages). */
export const iso = (micros: number): string => new Date(micros / 1000).toISOString()

/** Durations in microseconds. */
export const MINUTE = 60_000_000
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR

let counter = 0

/** A sample with only the fields the aggregation reads; each call gets a new sample id. */
export function aggregationSample(overrides: Partial<AggregationSample> = {}): AggregationSample {
  counter++
  return {
    userId: 'u-1',
    dataType: 'heart_rate',
    unit: 'count/min',
    value: 60,
    startTime: us('2026-03-10T12:00:00Z'),
    sampleId: `s-${String(counter).padStart(6, '0')}`,
    timeZone: null,
    ...overrides,
  }
}

/** A validated sample; `sourceOffset` + `sourceIndex` make its dead-letter id unique. */
export function validatedSample(overrides: Partial<ValidatedSample> = {}): ValidatedSample {
  return {
    sampleId: 's-1',
    userId: 'u-1',
    deviceId: 'd-1',
    platform: 'IOS',
    appVersion: null,
    batchId: 'b-1',
    dataType: 'heart_rate',
    value: 60,
    unit: 'count/min',
    startTime: us('2026-03-10T12:00:00Z'),
    startOffsetMinutes: 0,
    endTime: null,
    endOffsetMinutes: null,
    sourceApp: null,
    confidence: null,
    timeZone: null,
    metadata: {},
    batchMetadata: {},
    uploadedAt: us('2026-03-10T12:05:00Z'),
    sourceTopic: 'health-data-raw',
    sourcePartition: 0,
    sourceOffset: 0,
    sourceIndex: 0,
    writerSchemaId: 1,
    ingestedAt: us('2026-03-10T12:05:01Z'),
    originalValue: 60,
    originalUnit: 'count/min',
    knownType: true,
    flags: [],
    validatedAt: us('2026-03-10T12:05:02Z'),
    extras: null,
    ...overrides,
  }
}

/** A validated sample starting at `iso`, its id made from that time. */
export const at = (iso: string, overrides: Parameters<typeof validatedSample>[0] = {}) =>
  validatedSample({ startTime: us(iso), sampleId: `s-${iso}`, ...overrides })
