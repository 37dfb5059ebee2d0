import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  commitLatencies,
  cpuPerSample,
  hopRate,
  lagSeries,
  machineMean,
  processUse,
  rateSeries,
  redisCommandsOf,
  slowest,
  type Tick,
} from '../lib/e2e-analysis.ts'

/** A tick at second `s` (epoch 1000 s + s) with only the given parts. */
const tick = (s: number, parts: Partial<Tick> = {}): Tick => ({
  at: 1_000_000 + s * 1000,
  progress: {},
  lag: {},
  cpu: {},
  rssMiB: {},
  committed: {},
  machine: 0,
  ...parts,
})

describe('commitLatencies', () => {
  const commits = [
    { at: 2000, offsets: new Map([[0, 2]]) },
    // out of time order on purpose: sorted by time before use
    { at: 5000, offsets: new Map([[0, 5]]) },
    {
      at: 3000,
      offsets: new Map([
        [0, 2],
        [1, 1],
      ]),
    },
  ]

  it('times each record to the first commit past its offset, per partition', () => {
    const records = [
      { partition: 0, offsets: [0, 1, 2, 4], times: [1000, 1500, 1500, 4000] },
      { partition: 1, offsets: [0], times: [2500] },
    ]
    assert.deepEqual(commitLatencies(records, commits), {
      latencies: [1000, 500, 3500, 1000, 500],
      uncovered: 0,
    })
  })

  it('counts records no commit reached instead of timing them', () => {
    const records = [{ partition: 1, offsets: [0, 1, 2], times: [0, 0, 0] }]
    assert.deepEqual(commitLatencies(records, commits), { latencies: [3000], uncovered: 2 })
  })

  it('ignores a later commit that records a smaller offset (another writer reset it)', () => {
    const records = [{ partition: 0, offsets: [3], times: [0] }]
    const shuffled = [...commits, { at: 4000, offsets: new Map([[0, 1]]) }]
    assert.deepEqual(commitLatencies(records, shuffled).latencies, [5000])
  })
})

describe('hopRate', () => {
  const ticks = [
    tick(0),
    tick(1, { lag: { 'w ← in': 2000 } }),
    tick(2, { lag: { 'w ← in': 2000 } }),
    tick(3, { progress: { w: 300 }, lag: { 'w ← in': 1200 } }),
    tick(4, { progress: { w: 600 }, lag: { 'w ← in': 900 } }),
    tick(5, { progress: { w: 600 } }),
  ]
  const input = { label: 'w ← in', samplesPerRecord: 10 }

  it('runs from the tick before the service had work to the first tick with its final count', () => {
    const r = hopRate(ticks, 'w', [input])
    assert.deepEqual(
      { samples: r.samples, seconds: r.seconds, perSecond: r.perSecond, peak: r.peakPerSecond },
      { samples: 600, seconds: 4, perSecond: 150, peak: 300 },
    )
  })

  it('measures what it moved while more than two transactions of samples waited in front of it', () => {
    const r = hopRate(ticks, 'w', [input])
    // backlog in samples: 20,000, 20,000, 12,000, 9,000: busy from second 1 to second 3
    assert.deepEqual([r.backloggedPerSecond, r.backloggedSeconds, r.peakBacklog], [150, 2, 20_000])
    assert.equal(hopRate(ticks, 'w', [input], 15_000).backloggedSeconds, 1)
  })

  it('starts at the tick before its first progress when no input is named', () => {
    assert.equal(hopRate(ticks, 'w').seconds, 2)
  })

  it('is zero for a service that never moved', () => {
    assert.equal(hopRate(ticks, 'other').perSecond, 0)
  })
})

describe('series for the chart', () => {
  const ticks = [tick(0, { progress: { a: 0 } }), tick(2, { progress: { a: 100 }, lag: { l: 7 } }), tick(3)]

  it('turns counters into per-second rates, never negative (a restarted service counts from 0)', () => {
    assert.deepEqual(rateSeries(ticks, 'a', 1_000_000), [
      [2, 50],
      [3, 0],
    ])
  })

  it('measures over at least half a second when ticks come bunched', () => {
    const bunched = [
      tick(0, { progress: { a: 0 } }),
      tick(0.1, { progress: { a: 50 } }),
      tick(1, { progress: { a: 100 } }),
    ]
    assert.deepEqual(rateSeries(bunched, 'a', 1_000_000), [[1, 100]])
  })

  it('keeps lag points only where the lag was read', () => {
    assert.deepEqual(lagSeries(ticks, 'l', 1_000_000), [[2, 7]])
  })
})

describe('processUse and machineMean', () => {
  const ticks = [
    tick(1, { cpu: { x: 0.5 }, rssMiB: { x: 100 }, machine: 1 }),
    tick(2, { cpu: { x: 1.5 }, rssMiB: { x: 300 }, machine: 2 }),
    tick(3, { cpu: { x: 9 }, rssMiB: { x: 900 }, machine: 2 }),
  ]
  const from = 1_000_000
  const to = 1_002_000

  it('averages and peaks CPU and RSS over the ticks of the window only', () => {
    assert.deepEqual(processUse(ticks, 'x', from, to), {
      cpuMean: 1,
      cpuPeak: 1.5,
      rssMeanMiB: 200,
      rssPeakMiB: 300,
    })
    assert.deepEqual(machineMean(ticks, from, to), { busy: 1.5, other: 0.5 })
  })

  it('is all zeros for a process that was not watched', () => {
    assert.deepEqual(processUse(ticks, 'y', from, to), {
      cpuMean: 0,
      cpuPeak: 0,
      rssMeanMiB: 0,
      rssPeakMiB: 0,
    })
  })
})

describe('cpuPerSample', () => {
  it('adds each process up as cores times the seconds since the previous tick, in µs per sample', () => {
    const ticks = [
      tick(0, { cpu: { x: 9 } }),
      tick(1, { cpu: { x: 1 } }),
      tick(3, { cpu: { x: 0.5, y: 0.25 } }),
    ]
    // x: 1 core × 1 s + 0.5 × 2 s = 2 s; y: 0.5 s; over 1 000 000 samples
    assert.deepEqual(cpuPerSample(ticks, 1_000_000), { x: 2, y: 0.5 })
  })
})

describe('slowest and redisCommandsOf', () => {
  const rate = (peakBacklog: number, busyBacklog = 10_000) => ({
    samples: 1,
    seconds: 40,
    perSecond: 1,
    peakPerSecond: 0,
    backloggedPerSecond: 0,
    backloggedSeconds: 0,
    peakBacklog,
    busyBacklog,
    startAt: 0,
    endAt: 0,
  })

  it('names the last hop in the chain in front of which a queue grew', () => {
    // ingest could not keep up with the simulator, the validator not with ingest; the aggregator's
    // read-ahead and the lake-writer's commit buffer are no queue
    const rates = {
      ingest: rate(635_000),
      validator: rate(672_000),
      aggregator: rate(29_000),
      lake: rate(136_000, 200_000),
    }
    assert.equal(slowest(rates, 1_000_000), 'validator')
  })

  it('names none when the chain kept up with what was offered', () => {
    assert.equal(slowest({ ingest: rate(12_000), validator: rate(30_000) }, 1_000_000), undefined)
    assert.equal(slowest({}, 0), undefined)
  })

  it('keeps only the Redis operations of a trace, by command', () => {
    const ops = { 'redis evalsha': { count: 12 }, 'kafka commit': { count: 3 }, 'redis get': { count: 1 } }
    assert.deepEqual(redisCommandsOf(ops), { evalsha: 12, get: 1 })
  })
})
