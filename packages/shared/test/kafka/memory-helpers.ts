/** Shared set-up of the loop's unit tests: an in-memory broker, input records and loops over it. */

import { MemoryBroker, MemoryConsumer, MemoryProducer } from '@healthstream/testkit/memory'
import type { OutputRecord, Transform } from '../../src/kafka/index.ts'
import type { TransactionalLoopOptions } from '../../src/kafka/loop-options.ts'
import type { LoopEvent } from '../../src/kafka/loop-stats.ts'
import { TransactionalLoop } from '../../src/kafka/transactional-loop.ts'

export const INPUT = 'in'
export const OUTPUT = 'out'

/** A broker with an input topic holding `count` keyed records and an empty output topic. */
export function brokerWithInput(count: number, partitions = 4): MemoryBroker {
  const broker = new MemoryBroker()
  broker.createTopic(INPUT, partitions)
  broker.createTopic(OUTPUT, partitions)
  appendInput(broker, 0, count)
  return broker
}

export function appendInput(broker: MemoryBroker, from: number, count: number): void {
  const records: OutputRecord[] = []
  for (let i = from; i < from + count; i++) {
    records.push({ topic: INPUT, key: Buffer.from(`user-${i % 7}`), value: Buffer.from(`v${i}`) })
  }
  broker.append(records)
}

/** Copies each record to OUTPUT with its value upper-cased and a `source` header. */
export const upperCase: Transform = async (records) =>
  records.map((r) => ({
    topic: OUTPUT,
    key: r.key,
    value: Buffer.from(String(r.value).toUpperCase()),
    headers: new Map([...r.headers, ['source', Buffer.from(`${r.topic}/${r.partition}/${r.offset}`)]]),
  }))

export interface TestLoop {
  readonly loop: TransactionalLoop
  readonly consumer: MemoryConsumer
  readonly producer: MemoryProducer
  readonly events: LoopEvent[]
  readonly done: Promise<void>
}

/** Starts a loop over the broker (group `g`, transactional id `tx` unless given). */
export function startLoop(
  broker: MemoryBroker,
  options: Partial<TransactionalLoopOptions> & { groupId?: string; transactionalId?: string } = {},
): TestLoop {
  const consumer = new MemoryConsumer(broker, options.groupId ?? 'g')
  const producer = new MemoryProducer(broker, options.transactionalId ?? 'tx')
  const events: LoopEvent[] = []
  const loop = new TransactionalLoop({
    consumer,
    producer,
    inputTopics: [INPUT],
    transform: upperCase,
    lingerMs: 0,
    fetchMaxWaitMs: 20,
    retryBackoff: { initialMs: 1, maxMs: 5 },
    ...options,
    onEvent: (event) => {
      events.push(event)
      options.onEvent?.(event)
    },
  })
  const done = loop.run()
  done.catch(() => undefined) // tests that expect a failure await `done` themselves
  return { loop, consumer, producer, events, done }
}

/** Resolves once `condition` holds, polling; rejects after `timeoutMs`. */
export async function eventually(
  condition: () => boolean,
  timeoutMs = 3000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
}

/** Output values as a sorted list, to compare against the expected set regardless of partitioning. */
export function outputValues(broker: MemoryBroker): string[] {
  return broker
    .readCommitted(OUTPUT)
    .map((r) => String(r.value))
    .sort()
}

export function expectedValues(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `V${i}`).sort()
}
