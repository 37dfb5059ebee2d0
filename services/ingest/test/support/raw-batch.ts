/** Raw `HealthDataBatch` values (v2) as a phone uploads them, for the ingest tests on the stack. */
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
