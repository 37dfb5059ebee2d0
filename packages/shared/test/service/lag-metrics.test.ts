import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MemoryProducer } from '@healthstream/testkit/memory'
import { pino } from 'pino'
import { Registry } from 'prom-client'
import type { LogOffsetsPort } from '../../src/kafka/lag.ts'
import type { TransactionalLoopOptions } from '../../src/kafka/loop-options.ts'
import { LagMetrics } from '../../src/service/lag-metrics.ts'
import { appendInput, brokerWithInput, eventually, INPUT, startLoop } from '../kafka/memory-helpers.ts'

/** Lag metrics on a registry of their own, logging into `lines`. */
function lagMetrics(offsets: LogOffsetsPort) {
  const registry = new Registry()
  const lines: { level: number; msg: string }[] = []
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line)) })
  const metrics = new LagMetrics({ registry, offsets, intervalMs: 60_000, logger })
  return { registry, lines, metrics }
}

/** The gauge's series as `partition → lag`, as a scrape reads them. */
async function scraped(registry: Registry): Promise<Record<string, number>> {
  const gauge = registry.getSingleMetric('healthstream_consumer_lag_records')!
  const { values } = await gauge.get()
  return Object.fromEntries(values.map((v) => [`${v.labels.topic}:${v.labels.partition}`, v.value]))
}

describe('the consumer lag gauge', () => {
  it('shows, per owned partition, the last stable offset minus the committed offset of the group', async (t) => {
    const broker = brokerWithInput(200, 4)
    let metrics: LagMetrics | undefined
    const { loop, consumer } = startLoop(broker, { onEvent: (e) => metrics?.lag.onLoopEvent(e) })
    const m = lagMetrics(consumer)
    metrics = m.metrics
    t.after(() => loop.stop())
    await eventually(() => loop.stats.recordsIn === 200, 3000, 'the input processed')
    loop.pause()
    appendInput(broker, 200, 37)
    // A transaction still open on the input: its records are beyond the last stable offset
    const upstream = new MemoryProducer(broker, 'upstream')
    const open = await upstream.begin()
    await open.send([{ topic: INPUT, key: Buffer.from('user-1'), value: Buffer.from('pending') }])

    await m.metrics.refresh()
    const fromBroker = Object.fromEntries(
      [0, 1, 2, 3].map((p) => [
        `${INPUT}:${p}`,
        Number(broker.lastStableOffset(INPUT, p) - (broker.committedOffset('g', INPUT, p) ?? 0n)),
      ]),
    )
    assert.deepEqual(await scraped(m.registry), fromBroker)
    assert.equal(
      Object.values(fromBroker).reduce((a, b) => a + b),
      37,
    )

    await open.commit()
    loop.resume()
    await eventually(() => loop.stats.recordsIn === 238, 3000, 'the rest processed')
    await m.metrics.refresh()
    assert.deepEqual(Object.values(await scraped(m.registry)), [0, 0, 0, 0])
  })

  it('keeps only the partitions this instance owns, so the sum over the instances is the lag of the group', async (t) => {
    const broker = brokerWithInput(0, 4)
    let release = (): void => undefined
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    const instance = (options: Partial<TransactionalLoopOptions>) => {
      let metrics: LagMetrics | undefined
      const started = startLoop(broker, { ...options, onEvent: (e) => metrics?.lag.onLoopEvent(e) })
      const m = lagMetrics(started.consumer)
      metrics = m.metrics
      // What run-hop does: a new session revokes partitions at once, even from a paused loop
      started.consumer.onSession((session) => m.metrics.lag.retain(session.assignment))
      t.after(() => started.loop.stop())
      return { ...started, ...m }
    }
    const a = instance({})
    await eventually(() => a.loop.stats.session?.assignment.length === 4, 3000, 'a owns every partition')
    a.loop.pause()
    appendInput(broker, 0, 40)
    await a.metrics.refresh()
    assert.equal(Object.keys(await scraped(a.registry)).length, 4)

    // b joins and holds its first batch uncommitted: a, paused, gives up two partitions all the same
    const b = instance({ transform: async () => gate.then(() => []) })
    await eventually(() => b.loop.stats.session?.assignment.length === 2, 3000, 'b owns two partitions')
    await Promise.all([a.metrics.refresh(), b.metrics.refresh()])
    const series = [await scraped(a.registry), await scraped(b.registry)]
    assert.deepEqual(
      series.map((s) => Object.keys(s).length),
      [2, 2],
    )
    assert.deepEqual(
      Object.keys({ ...series[0], ...series[1] }).sort(),
      [0, 1, 2, 3].map((p) => `${INPUT}:${p}`),
    )
    assert.equal(
      series.flatMap((s) => Object.values(s)).reduce((x, y) => x + y),
      40,
    )
    release()
  })

  it('never asks Kafka during a scrape', async () => {
    let asked = 0
    const { registry, metrics } = lagMetrics({
      logOffsets: async (partitions) => {
        asked++
        return partitions.map((p) => ({ ...p, offset: 9n }))
      },
    })
    metrics.lag.assigned([{ topic: 't', partition: 0 }], [{ topic: 't', partition: 0, offset: 4n }])
    await metrics.refresh()
    assert.deepEqual(await scraped(registry), { 't:0': 5 })
    await registry.metrics()
    await registry.metrics()
    assert.equal(asked, 1)
  })

  it('counts a failed read, warns once, keeps the last values, and says when reading works again', async () => {
    let failing = false
    const { registry, lines, metrics } = lagMetrics({
      logOffsets: async (partitions) => {
        if (failing) throw new Error('broker unreachable')
        return partitions.map((p) => ({ ...p, offset: 7n }))
      },
    })
    metrics.lag.assigned([{ topic: 't', partition: 0 }], [{ topic: 't', partition: 0, offset: 2n }])
    await metrics.refresh()
    failing = true
    await metrics.refresh()
    await metrics.refresh()
    assert.deepEqual(await scraped(registry), { 't:0': 5 })
    const errors = registry.getSingleMetric('healthstream_consumer_lag_refresh_errors_total')!
    assert.equal((await errors.get()).values[0]?.value, 2)
    failing = false
    await metrics.refresh()
    const levels = lines.map((l) => `${pino.levels.labels[l.level]}: ${l.msg}`)
    assert.deepEqual(levels, [
      'warn: consumer lag not read; the lag metric keeps its last values',
      'debug: consumer lag not read',
      'info: consumer lag read again',
    ])
  })

  it('reads the ends on its interval until stopped', async () => {
    let asked = 0
    const registry = new Registry()
    const metrics = new LagMetrics({
      registry,
      offsets: {
        logOffsets: async (partitions) => {
          asked++
          return partitions.map((p) => ({ ...p, offset: 1n }))
        },
      },
      intervalMs: 5,
      logger: pino({ level: 'silent' }),
    })
    metrics.lag.assigned([{ topic: 't', partition: 0 }], [])
    metrics.start()
    await eventually(() => asked >= 3, 1000, 'three reads')
    await metrics.stop()
    const after = asked
    await new Promise((r) => setTimeout(r, 30))
    assert.equal(asked, after)
  })
})
