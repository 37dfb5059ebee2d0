/**
 * An idle service gives its heap back: after IDLE_MEMORY_RELEASE without a record in or out, one
 * memory-reducing collection shrinks V8's young generation (grown to 2 × 32 MiB by start-up alone) to
 * about 1 MiB — once after start-up, then once after each busy period, never while records flow. With
 * 0s it never runs. Read from the services' own logs and their /metrics (prom-client's heap spaces).
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { eventually, type ServiceProcess, simulateInto, testPipeline } from '@healthstream/testkit/stack'

const RELEASED = 'idle: heap given back'

interface Release {
  readonly time: string
  readonly heapMiB: { readonly before: number; readonly after: number }
}

const releases = (service: ServiceProcess): Release[] =>
  service.lines.filter((l) => l.includes(RELEASED)).map((l) => JSON.parse(l) as Release)

/** The young generation's size, from prom-client's default metrics. */
async function newSpaceBytes(service: ServiceProcess): Promise<number> {
  const text = await (await service.fetch('/metrics')).text()
  const line = /^nodejs_heap_space_size_total_bytes\{[^}]*space="new"[^}]*\} (\S+)$/m.exec(text)
  assert.ok(line, 'the new space is among the heap metrics')
  return Number(line[1])
}

describe('an idle service gives its heap back', { timeout: 180_000 }, () => {
  const running: ServiceProcess[] = []
  after(async () => {
    for (const service of running) await service.stop()
  })

  it('after start-up and after each busy period, once each, and not with 0s', async () => {
    const pipeline = testPipeline('idle-memory')
    const ingest = pipeline.service('ingest', { IDLE_MEMORY_RELEASE: '3s' })
    const validator = pipeline.service('validator', { IDLE_MEMORY_RELEASE: '3s' })
    const never = pipeline.service('aggregator', { IDLE_MEMORY_RELEASE: '0s' })
    running.push(ingest, validator, never)
    for (const service of running) await service.start()

    await eventually('the start-up release', async () => releases(validator).length === 1, 30_000)
    const first = releases(validator)[0]!
    assert.ok(first.heapMiB.after < first.heapMiB.before, `heap ${JSON.stringify(first.heapMiB)}`)
    const shrunk = await newSpaceBytes(validator)
    assert.ok(shrunk <= 4 * 2 ** 20, `new space ${shrunk} bytes after the release`)
    // Read at the same moment, before V8's own memory reducer would act on an idle process
    const kept = await newSpaceBytes(never)
    assert.ok(kept > shrunk, `without the release the new space stays as start-up grew it (${kept} bytes)`)
    await sleep(5_000)
    assert.equal(releases(validator).length, 1, 'once per idle period')

    // Records flow through ingest and the validator for a while, then stop
    const flowStarted = Date.now()
    for (let round = 0; round < 4; round++)
      await simulateInto(pipeline, { samples: 5_000, users: 20, seed: round, start: Date.now() - 86_400_000 })
    await eventually('a release after the busy period', async () => releases(validator).length >= 2, 60_000)
    for (const later of releases(validator).slice(1))
      assert.ok(Date.parse(later.time) > flowStarted, 'each later release came after records flowed')
    assert.ok(releases(ingest).length >= 2, 'ingest released after its busy period too')

    assert.deepEqual(releases(never), [], 'IDLE_MEMORY_RELEASE=0s never releases')
  })
})
