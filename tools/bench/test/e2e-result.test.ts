import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Tick } from '../lib/e2e-analysis.ts'
import type { ScannedLatencies } from '../lib/e2e-latency.ts'
import { assembleResult, type Measured } from '../lib/e2e-result.ts'
import type { BrokerCeiling } from '../lib/kafka-perf.ts'

const T0 = 1_000_000

/** Two services over four seconds: ingest moves 2 000 samples, the lake-writer commits them at 3 s. */
const ticks: Tick[] = [0, 1, 2, 3].map((s) => ({
  at: T0 + s * 1000,
  progress: { ingest: Math.min(2000, s * 1000), 'lake-writer': s >= 3 ? 2000 : 0 },
  lag: { 'ingest ← raw': s === 0 ? 40 : 0, 'lake-writer ← validated': s >= 1 && s < 3 ? 2000 : 0 },
  cpu: { ingest: 0.5, 'lake-writer': 0.25, kafka: 0.1 },
  rssMiB: { ingest: 100 },
  committed: {},
  machine: 1,
}))

const scanned: ScannedLatencies = {
  ingest: [10, 20, 30],
  validator: [],
  steady: { ingest: [20, 30], validator: [] },
  validated: [{ partition: 0, offsets: [0, 1], times: [T0 + 500, T0 + 1500] }],
  validatedFromRaw: [{ partition: 0, offsets: [0, 1], times: [T0, T0 + 1000] }],
  firstRawAt: T0,
  counts: { raw: 40, samples: 2000, validated: 2000 },
  avgBytes: { raw: 5000, sample: 300, validated: 330 },
}

const broker: BrokerCeiling = {
  label: 'sample',
  recordBytes: 300,
  records: 2000,
  producer: { recordsPerSecond: 10_000, mbPerSecond: 3, p50Ms: 1, p99Ms: 5 },
  consumer: { recordsPerSecond: 40_000, mbPerSecond: 12 },
  producerCpu: { seconds: 1, cores: {}, machine: 1, other: 0, machineCores: 2 },
  consumerCpu: { seconds: 1, cores: {}, machine: 1, other: 0, machineCores: 2 },
}

const measured: Measured = {
  ticks,
  hops: {
    ingest: { inputs: [{ label: 'ingest ← raw', samplesPerRecord: 50 }], busyBacklog: 10_000 },
    'lake-writer': {
      inputs: [{ label: 'lake-writer ← validated', samplesPerRecord: 1 }],
      busyBacklog: 200_000,
    },
  },
  sim: { samplesSent: 2000, batches: 40, bytes: 200_000, elapsedMs: 1000, samplesPerSecond: 2000 },
  scanned,
  aggregatorLatency: undefined,
  aggregatorSteadyLatency: undefined,
  warmupSeconds: 1,
  rawTableCommits: [{ at: T0 + 3000, offsets: new Map([[0, 2]]) }],
  completeAt: T0 + 4000,
  drained: true,
  broker: [broker],
  traces: {
    ingest: { ops: { 'kafka commit': { count: 4 } }, eventLoopUtilization: 0.9, activeSeconds: 3 },
    'lake-writer': { ops: { 'redis evalsha': { count: 10 } }, eventLoopUtilization: 0, activeSeconds: 0 },
  },
  redis: {
    get: { calls: 4000, serverMs: 1, usPerCall: 0.3 },
    evalsha: { calls: 10, serverMs: 1, usPerCall: 1 },
  },
  counters: {},
  snapshots: { health_data_raw: 2 },
  options: {},
  serviceEnv: {},
  machine: { cores: 2, node: 'v24' },
  chart: '/tmp/c.svg',
}

describe('assembleResult', () => {
  const r = assembleResult(measured)

  it('takes end to end from the first raw record to the snapshot that completed the lake', () => {
    assert.deepEqual(
      [r.endToEnd.seconds, r.endToEnd.samplesPerSecond, r.endToEnd.firstInAt],
      [4, 500, new Date(T0).toISOString()],
    )
  })

  it('divides it by the slower side of the broker at the sample size', () => {
    assert.equal(r.ceiling?.samplesPerSecond, 10_000)
    assert.equal(r.ratio, 0.05)
  })

  it('times the lake-writer and freshness at the snapshot that first records each record', () => {
    assert.deepEqual([r.hops['lake-writer']!.latency?.p50, r.hops['lake-writer']!.latency?.max], [1500, 2500])
    assert.deepEqual([r.freshness?.p50, r.freshness?.max], [2000, 3000])
    assert.equal(r.hops.ingest!.latency?.p50, 20)
  })

  it('gives the latency after the warm-up beside the whole run’s', () => {
    assert.deepEqual([r.hops.ingest!.steadyLatency?.count, r.hops.ingest!.steadyLatency?.max], [2, 30])
    assert.equal(r.hops['lake-writer']!.steadyLatency, undefined)
    assert.equal(r.warmupSeconds, 1)
  })

  it('keeps the event-loop share only where the trace saw commits', () => {
    assert.equal(r.hops.ingest!.eventLoopBusy, 0.9)
    assert.equal(r.hops['lake-writer']!.eventLoopBusy, undefined)
  })

  it('counts Redis round trips in the clients and commands on the server, per sample', () => {
    assert.deepEqual(r.redis.clientCommands, { 'lake-writer': { evalsha: 10 } })
    assert.equal(r.redis.roundTripsPerSample, 0.005)
    assert.equal(r.redis.serverCallsPerSample, 2.005)
  })

  it('names no limiting hop when no queue grew', () => {
    assert.equal(r.bottleneck, undefined)
  })
})
