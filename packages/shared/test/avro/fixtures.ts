import type { HealthDataBatch } from '../../src/avro/index.ts'
import { healthDataBatchV2 } from '../../src/avro/index.ts'

type Field = { name: string; type: unknown; default?: unknown }
type RecordSchema = { fields: Field[] }

/**
 * A v3 a phone could ship tomorrow: a new top-level field, a new sample field and a new platform
 * symbol. Backward compatible (new fields have defaults), so the registry accepts it.
 */
export function healthDataBatchV3(): object {
  const v3 = structuredClone(healthDataBatchV2) as RecordSchema
  const platform = v3.fields.find((f) => f.name === 'platform')!.type as { symbols: string[] }
  platform.symbols.push('TIZEN')
  v3.fields.splice(6, 0, { name: 'deviceModel', type: ['null', 'string'], default: null })
  const samples = v3.fields.find((f) => f.name === 'samples')!.type as { items: RecordSchema }
  samples.items.fields.push({ name: 'quality', type: 'int', default: 0 })
  return v3
}

/** A small batch in the v2 shape (v1 writers ignore `timeZone` and `confidence`). */
export function sampleBatch(overrides: Partial<HealthDataBatch> = {}): HealthDataBatch {
  return {
    batchId: '6f1c2a9e-0000-4000-8000-000000000001',
    userId: 'user-1',
    deviceId: 'device-1',
    platform: 'IOS',
    appVersion: '5.2.0',
    uploadedAt: '2026-11-25T08:15:30.123+01:00',
    timeZone: 'Europe/Berlin',
    samples: [
      {
        sampleId: '6f1c2a9e-0000-4000-8000-0000000000a1',
        dataType: 'heart_rate',
        value: 72,
        unit: 'count/min',
        startTime: '2026-11-25T08:10:00.000+01:00',
        endTime: null,
        sourceApp: 'health',
        confidence: 0.5,
        metadata: { sensor: 'ppg' },
      },
    ],
    metadata: {},
    ...overrides,
  }
}
