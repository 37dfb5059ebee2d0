/**
 * The lake benchmark's ceiling of the reading side: the Kafka client reading the whole input topic
 * through the same fetch path as the lake-writer, with nothing decoded.
 */
import { TopicReader } from './topic-scan.ts'

/** What the Kafka client alone does: the lake-writer's fetch path over the whole topic, no decoding. */
export interface KafkaOnly {
  records: number
  seconds: number
  cpuMicrosPerRecord: number
}

/** Reads all of `topic` once, `maxBytes` per fetch; elapsed seconds and this process's CPU per record. */
export async function timeKafkaClient(brokers: string, topic: string, maxBytes: number): Promise<KafkaOnly> {
  const reader = new TopicReader(brokers)
  try {
    let records = 0
    const started = performance.now()
    const cpu = process.cpuUsage()
    await reader.scanTopic(
      topic,
      (chunk) => {
        records += chunk.length
      },
      maxBytes,
    )
    const used = process.cpuUsage(cpu)
    return {
      records,
      seconds: (performance.now() - started) / 1000,
      cpuMicrosPerRecord: (used.user + used.system) / Math.max(1, records),
    }
  } finally {
    await reader.close()
  }
}
