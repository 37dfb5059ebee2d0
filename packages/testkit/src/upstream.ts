/**
 * Uploads as a phone sends them, for tests: `HealthDataBatch` v2 values and the v3 of issue 19's
 * schema-evolution tests (v2 plus a batch `deviceModel` and per-sample `tags` and `sensorLocation`).
 */
import { encode, healthDataBatchV2 } from '@healthstream/shared/avro'
import avro from 'avsc'

export const v2Type = avro.Type.forSchema(healthDataBatchV2 as avro.Schema)

/** A batch of `userId` with one heart-rate sample an hour old per entry of `samples`, overridden by it. */
export function rawBatch(
  batchId: string,
  userId: string,
  samples: Record<string, unknown>[],
  extra: Record<string, unknown> = {},
) {
  return {
    batchId,
    userId,
    deviceId: 'd-1',
    platform: 'ANDROID',
    appVersion: '5.0.0',
    uploadedAt: new Date().toISOString(),
    timeZone: 'Europe/Berlin',
    samples: samples.map((s, i) => ({
      sampleId: `${batchId}-${i}`,
      dataType: 'heart_rate',
      value: 70,
      unit: 'count/min',
      startTime: new Date(Date.now() - 3_600_000).toISOString(),
      endTime: null,
      sourceApp: null,
      confidence: null,
      metadata: {},
      ...s,
    })),
    metadata: {},
    ...extra,
  }
}

/** `rawBatch` with one sample, in the Confluent wire format under `schemaId`. */
export const encodedRawBatch = (schemaId: number, batchId: string, userId: string): Buffer =>
  encode(schemaId, v2Type.toBuffer(rawBatch(batchId, userId, [{}])))

export type Field = { name: string; type: unknown; default?: unknown }
type RecordSchema = { fields: Field[] }

/** v2 plus the given batch and sample fields. */
export function evolved(batchFields: Field[], sampleFields: Field[]): object {
  const schema = structuredClone(healthDataBatchV2) as RecordSchema
  schema.fields.push(...batchFields)
  const samples = schema.fields.find((f) => f.name === 'samples')!
  ;(samples.type as { items: RecordSchema }).items.fields.push(...sampleFields)
  return schema
}

/** The v3 of issue 19: what a newer app sends. */
export const UPSTREAM_V3 = evolved(
  [{ name: 'deviceModel', type: ['null', 'string'], default: null }],
  [
    { name: 'tags', type: { type: 'array', items: 'string' }, default: [] },
    { name: 'sensorLocation', type: ['null', 'string'], default: null },
  ],
)
