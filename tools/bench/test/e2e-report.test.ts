import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { CpuUse } from '../lib/cpu.ts'
import { buildChart } from '../lib/e2e-chart.ts'
import { ceilingOf, type E2EResult, formatReport, reportRows, summaryLines } from '../lib/e2e-report.ts'
import type { BrokerCeiling } from '../lib/kafka-perf.ts'

const cpu = (tool: number): CpuUse => ({ seconds: 1, cores: { tool }, machine: 1, other: 0, machineCores: 2 })

const broker = (label: string, produce: number, consume: number, bytes: number): BrokerCeiling => ({
  label,
  recordBytes: bytes,
  records: 1000,
  producer: { recordsPerSecond: produce, mbPerSecond: 1, p50Ms: 3, p99Ms: 40 },
  consumer: { recordsPerSecond: consume, mbPerSecond: 1 },
  producerCpu: cpu(0.9),
  consumerCpu: cpu(0.8),
})

const use = { cpuMean: 0.9, cpuPeak: 1, rssMeanMiB: 200, rssPeakMiB: 250 }
const hop = (perSecond: number, p50: number) => ({
  rate: {
    samples: 1000,
    seconds: 10,
    perSecond,
    peakPerSecond: perSecond * 2,
    backloggedPerSecond: perSecond * 3,
    backloggedSeconds: 5,
    peakBacklog: 70_000,
    busyBacklog: 10_000,
    startAt: 0,
    endAt: 10_000,
  },
  latency: { count: 10, p50, p90: p50 * 2, p99: p50 * 3, max: p50 * 4 },
  latencyBasis: 'how',
  use,
  eventLoopBusy: 0.95,
})

function result(overrides: Partial<E2EResult> = {}): E2EResult {
  const b = [broker('sample', 400_000, 900_000, 313), broker('raw batch', 40_000, 50_000, 9000)]
  return {
    startedAt: '2026-11-25T17:00:00.000Z',
    machine: { cores: 2, node: 'v24' },
    options: {},
    serviceEnv: {},
    simulator: { samplesSent: 1_000_000, batches: 20_000, bytes: 1, seconds: 5, samplesPerSecond: 200_000 },
    endToEnd: {
      samples: 1_000_000,
      firstInAt: 'a',
      lastCommitAt: 'b',
      seconds: 50,
      samplesPerSecond: 20_000,
      drained: true,
    },
    hops: { ingest: hop(100_000, 80), 'lake-writer': hop(20_500, 4000) },
    freshness: { count: 10, p50: 9000, p90: 1, p99: 20_000, max: 1 },
    processes: { simulator: use, kafka: use },
    machineBusy: 1.93,
    otherBusy: 0.1,
    cpuPerSample: { validator: 20, ingest: 10, bench: 0.5 },
    counters: {},
    redis: {
      roundTripsPerSample: 0.0123,
      clientCommands: { validator: { evalsha: 200 } },
      serverCalls: 2_000_000,
      serverCallsPerSample: 2,
      serverCommands: { get: { calls: 1_000_000, serverMs: 1, usPerCall: 1 } },
    },
    broker: b,
    ceiling: ceilingOf(b),
    ratio: 20_000 / 400_000,
    bottleneck: 'lake-writer',
    recordBytes: { raw: 9000, sample: 313, validated: 340 },
    snapshots: {},
    chart: '/tmp/e2e.svg',
    ...overrides,
  }
}

describe('ceilingOf', () => {
  it('is the slower of transactional produce and read_committed consume at the sample size', () => {
    const c = ceilingOf([broker('raw batch', 1, 1, 9000), broker('sample', 400_000, 300_000, 313)])
    assert.equal(c?.samplesPerSecond, 300_000)
    assert.match(c!.basis, /read_committed consume of 313 B records/)
  })

  it('is undefined when the broker was not measured', () => {
    assert.equal(ceilingOf([]), undefined)
  })
})

describe('reportRows', () => {
  const rows = reportRows(result())

  it('has one header and the same number of cells in every row', () => {
    assert.equal(rows[0]![0], 'measure')
    for (const row of rows) assert.equal(row.length, rows[0]!.length)
  })

  it('puts end to end first, then the simulator, each hop, freshness, other processes, the broker', () => {
    const firsts = rows.slice(1).map((r) => r[0]!.split(/[ (:]/)[0])
    assert.deepEqual(firsts, [
      'end',
      'simulator',
      'ingest',
      'lake-writer',
      'lake',
      'kafka',
      'broker',
      'broker',
      'broker',
      'broker',
    ])
  })

  it('shows each hop with its rate, its rate while backlogged, latency and CPU/RSS', () => {
    assert.deepEqual(rows.find((r) => r[0]!.startsWith('lake-writer'))!.slice(1), [
      '20,500',
      '61,500',
      '4,000',
      '12,000',
      '0.90 / 1.00',
      '200 / 250',
    ])
  })

  it('converts the raw-batch ceiling to samples with the run’s samples per upload', () => {
    const raw = rows.find((r) => r[0]!.includes('ProducerPerformance') && r[0]!.includes('raw batch'))!
    assert.equal(raw[1], '2,000,000') // 40,000 records/s × 50 samples
  })
})

describe('summaryLines', () => {
  it('prints the ratio to the ceiling against the 25 % goal', () => {
    assert.match(
      summaryLines(result())[0]!,
      /= 5\.0 % of the broker's single-hop ceiling 400,000\/s .*goal not reached/,
    )
    assert.match(summaryLines(result({ ratio: 0.3 }))[0]!, /goal reached/)
  })

  it('names Redis round trips per sample and the limiting hop with its event loop', () => {
    const lines = summaryLines(result()).join('\n')
    assert.match(
      lines,
      /0\.0123 round trips per sample \(commands the services sent: validator evalsha 200\)/,
    )
    assert.match(
      lines,
      /limiting hop \(the last with a queue in front of it\): lake-writer, 61,500 samples\/s while backlogged \(5 s; 20,500\/s .*event loop 95 % busy/,
    )
    assert.match(lines, /largest backlog in front of each hop, samples: ingest 70,000, lake-writer 70,000/)
  })

  it('adds the CPU each process spent per sample up to what the cores could carry', () => {
    assert.match(
      summaryLines(result()).join('\n'),
      /CPU per sample: validator 20\.0 µs, ingest 10\.0 µs, bench 0\.5 µs; 30\.5 µs in all: 2 cores carry at most 65,574 samples\/s/,
    )
  })

  it('warns when other load took a share of the machine', () => {
    assert.match(summaryLines(result({ otherBusy: 0.8 })).join('\n'), /outside this run took 0\.80 cores/)
    assert.doesNotMatch(summaryLines(result()).join('\n'), /outside this run/)
  })

  it('warns when the lake never caught up', () => {
    const partial = result({ endToEnd: { ...result().endToEnd, drained: false } })
    assert.match(summaryLines(partial).at(-1)!, /did not catch up/)
  })
})

describe('formatReport and buildChart', () => {
  it('ends with where the JSON and the chart are', () => {
    const text = formatReport(result(), '/tmp/e2e.json')
    assert.match(text, /JSON: \/tmp\/e2e.json\nchart: \/tmp\/e2e.svg$/)
  })

  it('draws throughput, lag and CPU panels from the ticks', () => {
    const ticks = [0, 1, 2].map((s) => ({
      at: s * 1000,
      progress: { ingest: s * 100 },
      lag: { 'ingest ← raw': 5 - s },
      cpu: { ingest: 0.5 },
      rssMiB: {},
      committed: {},
      machine: 1,
    }))
    const svg = buildChart(ticks, ['ingest'], 0, result())
    assert.equal(svg.match(/<g class="panel">/g)?.length, 3)
    assert.equal(svg.match(/<polyline/g)?.length, 4) // ingest rate, its lag, its CPU, other load
    assert.match(svg, /ingest ← raw/)
  })
})
