import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  formatPeers,
  goals,
  type PeersResult,
  spread,
  summarise,
  summariseLake,
} from '../lib/peers/report.ts'
import type { LakeRoundResult, RoundResult, System } from '../lib/peers/round.ts'

const machine = { busyCores: 1.9, otherCores: 0.05 }

/** A round of `samples` samples in `seconds`, each app process using `cpu` seconds and `rss` MiB. */
function round(
  system: System,
  seconds: number,
  app: Record<string, [cpu: number, rss: number]>,
): RoundResult {
  const processes = Object.fromEntries(
    Object.entries(app).map(([name, [cpuSeconds, peakRssMiB]]) => [name, { cpuSeconds, peakRssMiB }]),
  )
  return {
    system,
    samples: 1_000_000,
    seconds,
    processes: { ...processes, kafka: { cpuSeconds: 30, peakRssMiB: 900 } },
    app: Object.keys(app),
    outputs: { validated: 980_000, deadLetters: 20_000, aggregates: 50_000 },
    settings: {},
    machine,
  }
}

const hs = (seconds: number, cpu: number) =>
  round('healthstream', seconds, { ingest: [cpu, 150], validator: [cpu, 180], aggregator: [cpu, 190] })
const ks = (system: System, seconds: number) => round(system, seconds, { 'kafka-streams': [60, 700] })

const lake = (system: LakeRoundResult['system'], seconds: number, cpuSeconds: number): LakeRoundResult => ({
  system,
  rows: 1_000_000,
  seconds,
  cpuSeconds,
  fromStart: { seconds: seconds + 1, cpuSeconds: cpuSeconds + 1 },
  kafkaCpuSeconds: 1,
  peakRssMiB: 300,
  settings: {},
})

function result(over: Partial<PeersResult> = {}): PeersResult {
  return {
    startedAt: '2026-12-07T12:00:00Z',
    machine: { cores: 2, node: 'v24' },
    options: { samples: 1_000_000, rounds: 2 },
    rounds: [hs(50, 15), ks('kafka-streams-fresh', 80), ks('kafka-streams-warm', 60), hs(60, 16)],
    lake: [lake('lake-writer', 5, 8), lake('iceberg-connect', 20, 30)],
    idleRssMiB: { ingest: 100, validator: 110, aggregator: 115, 'lake-writer': 119 },
    chain: {
      maxSamplesPerSecond: 30_000,
      ceilingSamplesPerSecond: 100_000,
      peakRssMiB: { ingest: 150, validator: 180, aggregator: 190, 'lake-writer': 199 },
      paced: {
        rate: 15_000,
        hops: {
          ingest: { p50: 20, p99: 60 },
          validator: { p50: 30, p99: 90 },
          aggregator: { p50: 40, p99: 99 },
        },
        freshness: { p50: 6000, p99: 11_500 },
        commitIntervalMs: 10_000,
      },
    },
    ...over,
  }
}

describe('peers report', () => {
  it('takes the median of an odd and of an even number of rounds, with the range', () => {
    assert.deepEqual(spread([3, 1, 2]), { median: 2, min: 1, max: 3 })
    assert.deepEqual(spread([4, 1, 2, 3]), { median: 2.5, min: 1, max: 4 })
    assert.ok(Number.isNaN(spread([]).median))
  })

  it('sums the application processes of a round, per sample, and keeps the servers apart', () => {
    const s = summarise(result().rounds, 'healthstream')
    assert.equal(s.rounds, 2)
    // 1 M samples in 50 and 60 s
    assert.deepEqual(s.samplesPerSecond, { median: 18_333.5, min: 16_667, max: 20_000 })
    // 3 × 15 s and 3 × 16 s of CPU for 1 M samples: 45 and 48 µs
    assert.deepEqual(s.appCpuUsPerSample, { median: 46.5, min: 45, max: 48 })
    assert.equal(s.peakRssMiB.median, 520)
    assert.equal(s.cpuUsPerSample.kafka?.median, 30)
  })

  it('meets every goal when every figure is within it', () => {
    const checks = goals(result())
    assert.equal(checks.length, 9)
    for (const c of checks) assert.equal(c.met, true, `${c.goal}: ${c.figure}`)
  })

  it('names each goal a figure misses', () => {
    const slow = result({
      rounds: [hs(100, 30), ks('kafka-streams-warm', 40), ks('kafka-streams-fresh', 80)],
      idleRssMiB: { ingest: 121 },
      lake: [lake('lake-writer', 30, 40), lake('iceberg-connect', 20, 30)],
    })
    const missed = goals(slow)
      .filter((c) => c.met === false)
      .map((c) => c.goal)
    assert.deepEqual(missed, [
      'raw → aggregates ≥ 1.0× warmed Kafka Streams',
      'three hops ≤ 50 µs CPU per sample',
      'every service ≤ 120 MiB RSS idle',
      'lake-writer ≥ 1.0× the Iceberg Kafka Connect sink in rows/s',
      'lake-writer ≤ the Iceberg Kafka Connect sink in CPU per row',
    ])
  })

  it('says a goal cannot be judged when the other system did not run', () => {
    const checks = goals(result({ rounds: [hs(50, 15)], lake: [], chain: undefined }))
    assert.equal(checks.find((c) => c.goal.startsWith('raw → aggregates'))?.met, undefined)
    assert.equal(
      checks.some((c) => c.goal.startsWith('lake-writer')),
      false,
    )
  })

  it('prints the table of the issue with the rows per system and the lake comparison', () => {
    const text = formatPeers(result(), 'out.json')
    assert.match(text, /Kafka Streams, warmed-up JVM \(one process\), 1×\s+16,667\s+60\.0\s+700/)
    assert.match(text, /Healthstream ingest \+ validator \+ aggregator, 2×\s+18,334 \[16,667–20,000\]/)
    assert.match(text, /\(≈ 150 \+ 180 \+ 190\)/)
    assert.match(text, /Healthstream lake-writer, 1×\s+200,000\s+8\.0/)
    assert.match(text, /Iceberg Kafka Connect sink \(standalone\), 1×\s+50,000\s+30\.0/)
    assert.match(text, /met: raw → aggregates ≥ 1\.0× warmed Kafka Streams — 1\.10×/)
    assert.equal(summariseLake(result().lake, 'iceberg-connect').rounds, 1)
  })

  it('splits a service’s resident memory into heap, outside the heap and the rest', () => {
    const measured = {
      ...hs(50, 15),
      memory: { ingest: { rss: 300, heapUsed: 60, heapTotal: 100, external: 40 } },
    }
    assert.match(formatPeers(result({ rounds: [measured] }), 'out.json'), /ingest 300 = 60\/100 \+ 40 \+ 160/)
  })
})
