import { describe, it } from 'node:test'
import { runLoopScenario } from './support/loop-scenario.ts'
import { InMemoryAggregateStore } from './support/memory-store.ts'

describe('the aggregator in the transactional loop, over the in-memory store', () => {
  it('produces every window exactly once through aborts, a replaced instance and a second instance', async (t) => {
    await runLoopScenario(t, new InMemoryAggregateStore())
  })
})
