import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { endpoint, uniqueName } from '@healthstream/testkit/stack'
import { Redis } from 'ioredis'
import { RedisAggregateStore } from '../src/state/redis-store.ts'
import { Aggregator, aggregatorDeps, consumed, run, session } from './support/harness.ts'
import { runLoopScenario } from './support/loop-scenario.ts'
import { dropNamespace } from './support/redis-namespace.ts'
import { us, validatedSample } from './support/samples.ts'

const redis = new Redis(endpoint('REDIS_URL'))
const namespaces: string[] = []
after(async () => {
  for (const ns of namespaces) await dropNamespace(redis, ns)
  await redis.quit()
})
const store = () => {
  namespaces.push(uniqueName('agg'))
  return new RedisAggregateStore(redis, { namespace: namespaces.at(-1)! })
}

describe('the aggregator over Redis', () => {
  it('re-emits a replayed batch byte for byte and counts its samples once', async () => {
    const s = store()
    const deps = await aggregatorDeps({ store: s, now: () => us('2026-03-20T00:00:00Z') })
    const aggregator = new Aggregator(deps)
    const sess = session(1, [2])
    const at = (iso: string) => validatedSample({ startTime: us(iso), sampleId: iso })
    await run(aggregator, consumed(deps.serdes, 2, 0, [at('2026-03-10T08:00:00Z')]), sess)
    const batch = consumed(deps.serdes, 2, 1, [at('2026-03-10T09:00:00Z'), at('2026-03-12T00:00:00Z')])
    const first = await run(aggregator, batch, sess)
    const replayed = await run(aggregator, batch, sess)
    assert.ok(first.length > 0)
    assert.deepEqual(replayed, first)
    const [day] = await s.query({ userId: 'u-1', granularity: 'daily', to: us('2026-03-11T00:00:00Z') })
    assert.deepEqual([day!.stats.count, day!.final], [2, true])
  })

  it('produces every window exactly once through aborts, a replaced instance and a second instance', async (t) => {
    await runLoopScenario(t, store(), 1500)
  })
})
