/**
 * How many times each upload (batch id) is on the raw topic, and how many times the simulator sent
 * it. They differ when a send was made again after a broker restart lost its acknowledgement: the
 * pipeline then rightly sees (and dead-letters) the invalid samples of that batch once per copy.
 */
import { AvroDeserializer, HttpSchemaRegistry, healthDataBatchV2 } from '@healthstream/shared/avro'
import type { RawBatch } from '@healthstream/shared/domain'
import { readCommittedTopic } from '@healthstream/shared/kafka'
import type { TruthEntry } from '@healthstream/simulator'
import { endpoint } from '@healthstream/testkit/stack'

/** Records per batch id on the topic (read_committed). */
export async function rawTopicCopies(topic: string): Promise<Map<string, number>> {
  const decoder = new AvroDeserializer<RawBatch>({
    registry: new HttpSchemaRegistry({ url: endpoint('SCHEMA_REGISTRY_URL') }),
    readerSchema: healthDataBatchV2,
  })
  const records = await readCommittedTopic(
    { bootstrapBrokers: [endpoint('KAFKA_BROKERS')], clientId: 'chaos-raw-reader' },
    topic,
  )
  const out = new Map<string, number>()
  for (const record of records) {
    const decoded = await decoder.decode(record.value ?? Buffer.alloc(0))
    if (!decoded.ok) throw new Error(`raw record ${record.partition}@${record.offset}: ${decoded.detail}`)
    out.set(decoded.value.batchId, (out.get(decoded.value.batchId) ?? 0) + 1)
  }
  return out
}

/** Copies of each batch the simulator sent: entries of the batch / distinct samples in it. */
export function batchCopies(truth: readonly TruthEntry[]): Map<string, number> {
  const entries = new Map<string, number>()
  const samples = new Map<string, Set<string>>()
  for (const t of truth) {
    entries.set(t.batchId, (entries.get(t.batchId) ?? 0) + 1)
    const set = samples.get(t.batchId) ?? new Set<string>()
    samples.set(t.batchId, set)
    set.add(t.sampleId)
  }
  return new Map([...entries].map(([batch, n]) => [batch, n / samples.get(batch)!.size]))
}
