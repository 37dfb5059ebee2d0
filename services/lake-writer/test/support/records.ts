/** Input records for tests: validated samples, window results and dead letters, deterministic. */
import type { ErrorRecord, ValidatedSample } from '@healthstream/shared/domain'
import type { AggregateRecord } from '../../src/consuming/rows.ts'

/** 2026-11-01T00:00:00Z in epoch microseconds. */
export const T0 = Date.UTC(2026, 10, 1) * 1000
const HOUR = 3_600_000_000

/** Validated sample number `i`: user `u<i % users>`, one sample every `spacing` micros (17 min) from T0. */
export function validatedSample(i: number, users = 7, spacing = 17 * 60_000_000): ValidatedSample {
  const start = T0 + Math.floor(i * spacing)
  return {
    sampleId: `sample-${i}`,
    userId: `u${i % users}`,
    deviceId: `device-${i % 3}`,
    platform: i % 2 === 0 ? 'IOS' : 'ANDROID',
    appVersion: i % 5 === 0 ? null : '2.1.0',
    batchId: `batch-${Math.floor(i / 10)}`,
    dataType: i % 3 === 0 ? 'steps' : 'heart_rate',
    value: i % 3 === 0 ? 100 + i : 60 + (i % 40) + 0.5,
    unit: i % 3 === 0 ? 'count' : 'count/min',
    startTime: start,
    startOffsetMinutes: 60,
    endTime: i % 3 === 0 ? start + 60_000_000 : null,
    endOffsetMinutes: i % 3 === 0 ? 60 : null,
    sourceApp: i % 4 === 0 ? null : 'health-app',
    confidence: i % 2 === 0 ? 0.5 : null,
    timeZone: 'Europe/Berlin',
    metadata: i % 2 === 0 ? { firmware: `1.${i % 9}` } : {},
    batchMetadata: { upload: 'wifi' },
    uploadedAt: start + HOUR,
    sourceTopic: 'health-data-raw',
    sourcePartition: i % 4,
    sourceOffset: i,
    sourceIndex: i % 10,
    writerSchemaId: 2,
    ingestedAt: start + HOUR + 1000,
    originalValue: i % 3 === 0 ? 100 + i : 60 + (i % 40) + 0.5,
    originalUnit: i % 3 === 0 ? 'count' : 'count/min',
    knownType: true,
    flags: i % 7 === 0 ? ['UNIT_CONVERTED'] : [],
    validatedAt: start + HOUR + 2000,
    extras: null,
  }
}

/** A window result of user `user`, day `day` after T0, at `revision` (the count grows with it). */
export function aggregate(
  user: string,
  day: number,
  revision: number,
  granularity: 'daily' | 'weekly' | 'monthly' = 'daily',
): AggregateRecord {
  const windowStart = T0 + day * 24 * HOUR
  return {
    userId: user,
    dataType: 'heart_rate',
    unit: 'count/min',
    granularity,
    windowStart,
    windowEnd: windowStart + 24 * HOUR,
    zone: 'UTC',
    windowLabel: `2026-11-${String(day + 1).padStart(2, '0')}`,
    count: revision * 10,
    sum: revision * 700,
    min: 50,
    max: 90,
    mean: 70,
    stddevPop: 5,
    stddevSample: revision > 1 ? 5.2 : null,
    m2: 250,
    firstValue: 55,
    firstEventTime: windowStart + HOUR,
    firstSampleId: 'first',
    lastValue: 80,
    lastEventTime: windowStart + 20 * HOUR + revision,
    lastSampleId: `last-${revision}`,
    isFinal: revision >= 3,
    revision,
    watermark: windowStart + 25 * HOUR,
    updatedAt: windowStart + 26 * HOUR + revision,
  }
}

/** Dead letter number `i`. */
export function errorRecord(i: number): ErrorRecord {
  return {
    errorId: `validator:raw:0:${i}`,
    stage: 'validator',
    reasonCode: 'OUT_OF_RANGE',
    message: `value ${i} out of range`,
    sourceTopic: 'health-data-raw',
    sourcePartition: 0,
    sourceOffset: i,
    sourceIndex: i % 2 === 0 ? 0 : null,
    userId: `u${i % 3}`,
    sampleId: `bad-${i}`,
    dataType: 'heart_rate',
    payloadFormat: 'json',
    payload: Buffer.from(JSON.stringify({ i })),
    writerSchemaId: i % 2 === 0 ? 2 : null,
    errorTime: T0 + i * 1_000_000,
    occurredAt: i % 2 === 0 ? T0 : null,
    replayOf: i % 5 === 4 ? `validator:raw:0:${i - 1}` : null,
  }
}
