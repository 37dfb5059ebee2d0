/** A backlog of validated samples on the topic the lake-writer reads, for the lake benchmarks. */
import { InputProducer, serializers, validatedSample } from '@healthstream/lake-writer/testing'
import { createAdmin, ensureTopics } from '@healthstream/shared/kafka'
import type { TopicNames } from '@healthstream/shared/topics'

export interface ValidatedBacklog {
  readonly samples: number
  readonly users: number
  /** Days the event times spread over: that many day partitions in the table. */
  readonly days: number
  readonly partitions: number
}

/**
 * Creates the lake-writer's input topics (aggregates and errors stay empty) and writes the samples
 * to the validated one; resolves to the seconds it took.
 */
export async function preloadValidated(o: ValidatedBacklog, topics: TopicNames): Promise<number> {
  const admin = createAdmin({ bootstrapBrokers: [process.env.KAFKA_BROKERS!], clientId: 'bench-lake' })
  const inputs = [topics.validated, topics.aggregates, topics.errors]
  await ensureTopics(
    admin,
    inputs.map((topic) => ({ topic, partitions: o.partitions })),
  ).finally(() => admin.close())
  const ser = await serializers(topics)
  const producer = new InputProducer()
  // Event times spread over the days, as a day of uploads from phones would be (a few days of history)
  const spacing = (o.days * 86_400_000_000) / o.samples
  const started = Date.now()
  try {
    for (let i = 0; i < o.samples; i += 10_000) {
      const chunk = Array.from({ length: Math.min(10_000, o.samples - i) }, (_, j) =>
        validatedSample(i + j, o.users, spacing),
      )
      await producer.send(
        topics.validated,
        chunk.map((s) => ({ key: s.userId, value: ser.validated.serialize(s) })),
        2000,
      )
    }
  } finally {
    await producer.close()
  }
  return (Date.now() - started) / 1000
}
