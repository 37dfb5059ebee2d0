import { Aggregator, aggregatorDeps, consumed, run, session } from './harness.ts'
import { InMemoryAggregateStore } from './memory-store.ts'
import { us, validatedSample } from './samples.ts'

/**
 * A store holding heart-rate windows of user u-1 (values 1, 3, 5, 7 from 10 to 12 March 2026, seen on 20
 * March): a final day, a fired one and an open one.
 */
export async function storeWithData(): Promise<InMemoryAggregateStore> {
  const store = new InMemoryAggregateStore()
  const deps = await aggregatorDeps({ store, now: () => us('2026-03-20T00:00:00Z') })
  const aggregator = new Aggregator(deps)
  const at = (iso: string, value: number) => validatedSample({ startTime: us(iso), sampleId: iso, value })
  const samples = [
    at('2026-03-10T08:00:00Z', 1),
    at('2026-03-10T09:00:00Z', 3),
    at('2026-03-11T02:00:00Z', 5),
  ]
  await run(aggregator, consumed(deps.serdes, 0, 0, samples), session(1, [0]))
  await run(aggregator, consumed(deps.serdes, 0, 3, [at('2026-03-12T00:30:00Z', 7)]), session(1, [0]))
  return store
}
