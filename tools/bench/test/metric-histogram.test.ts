import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { histogramBuckets, histogramPercentiles, histogramSince } from '../lib/metric-histogram.ts'

const METRICS = `# HELP healthstream_record_latency_seconds x
# TYPE healthstream_record_latency_seconds histogram
healthstream_record_latency_seconds_bucket{le="0.05",service="aggregator"} 0
healthstream_record_latency_seconds_bucket{le="0.1",service="aggregator"} 50
healthstream_record_latency_seconds_bucket{le="0.2",service="aggregator"} 90
healthstream_record_latency_seconds_bucket{le="1",service="aggregator"} 100
healthstream_record_latency_seconds_bucket{le="+Inf",service="aggregator"} 100
healthstream_record_latency_seconds_sum{service="aggregator"} 10
healthstream_record_latency_seconds_count{service="aggregator"} 100
healthstream_transaction_seconds_bucket{le="0.1",service="aggregator"} 7
`

describe('percentiles of a histogram on /metrics', () => {
  it('reads the cumulative buckets of one metric, summed over its series, +Inf last', () => {
    const twice = `${METRICS}${METRICS.replaceAll('aggregator', 'other')}`
    assert.deepEqual(histogramBuckets(twice, 'healthstream_record_latency_seconds'), [
      [0.05, 0],
      [0.1, 100],
      [0.2, 180],
      [1, 200],
      [Number.POSITIVE_INFINITY, 200],
    ])
    assert.deepEqual(histogramBuckets(METRICS, 'absent_metric'), [])
  })

  it('interpolates inside a bucket as histogram_quantile does, in ms', () => {
    const p = histogramPercentiles(histogramBuckets(METRICS, 'healthstream_record_latency_seconds'))!
    assert.equal(p.count, 100)
    assert.equal(p.p50, 100) // the 50th of 100 is the top of the (0.05, 0.1] bucket
    assert.ok(Math.abs(p.p90 - 200) < 1e-9)
    assert.ok(Math.abs(p.p99 - (200 + 800 * 0.9)) < 1e-9) // 9 of the 10 in (0.2, 1]
    assert.equal(p.max, 1000)
  })

  it('puts a quantile that lies beyond every bound at the largest finite one; nothing is undefined', () => {
    const beyond: [number, number][] = [
      [0.1, 1],
      [1, 2],
      [Number.POSITIVE_INFINITY, 10],
    ]
    const p = histogramPercentiles(beyond)!
    assert.equal(p.p99, 1000)
    assert.equal(p.max, 1000)
    assert.equal(histogramPercentiles([[Number.POSITIVE_INFINITY, 0]]), undefined)
    assert.equal(histogramPercentiles([]), undefined)
  })

  it('subtracts an earlier reading: what was observed in between', () => {
    const earlier: [number, number][] = [
      [0.1, 90],
      [1, 95],
      [Number.POSITIVE_INFINITY, 100],
    ]
    const later: [number, number][] = [
      [0.1, 150],
      [1, 195],
      [Number.POSITIVE_INFINITY, 200],
    ]
    assert.deepEqual(histogramSince(later, earlier), [
      [0.1, 60],
      [1, 100],
      [Number.POSITIVE_INFINITY, 100],
    ])
    assert.deepEqual(histogramSince(later, []), later)
  })
})
