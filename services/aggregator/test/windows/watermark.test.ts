import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { aggregationSpec } from '../../src/windows/spec.ts'
import {
  firingWatermark,
  NO_WATERMARK,
  partitionWatermark,
  UNBOUNDED,
  WatermarkTracker,
  windowPhase,
} from '../../src/windows/watermark.ts'
import { HOUR, MINUTE } from '../support/samples.ts'

describe('partitionWatermark', () => {
  it('trails the largest event time by the out-of-orderness', () => {
    assert.equal(partitionWatermark(100 * MINUTE, 10 * MINUTE), 90 * MINUTE)
  })
  it('stays at NO_WATERMARK before the first event', () => {
    assert.equal(partitionWatermark(NO_WATERMARK, 10 * MINUTE), NO_WATERMARK)
  })
})

describe('firingWatermark', () => {
  it('is held back by the other active partitions', () => {
    assert.equal(firingWatermark(NO_WATERMARK, 50, 30), 30)
  })
  it('follows the own watermark when no other partition is active', () => {
    assert.equal(firingWatermark(NO_WATERMARK, 50, UNBOUNDED), 50)
  })
  it('never goes back, whatever the inputs', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer(), fc.integer(), (stored, own, others) => {
        assert.ok(firingWatermark(stored, own, others) >= stored)
      }),
    )
  })
})

describe('windowPhase', () => {
  const end = 24 * HOUR
  const cases = [
    [end - 1, 'open'],
    [end, 'fired'],
    [end + HOUR - 1, 'fired'],
    [end + HOUR, 'expired'],
  ] as const
  for (const [watermark, phase] of cases) {
    it(`is ${phase} at end ${watermark >= end ? '+' : '-'} ${Math.abs(watermark - end)} µs with 1 h lateness`, () => {
      assert.equal(windowPhase(end, HOUR, watermark), phase)
    })
  }
  it('goes straight from open to expired without lateness', () => {
    assert.equal(windowPhase(end, 0, end), 'expired')
  })
})

describe('WatermarkTracker', () => {
  it('takes the smallest watermark of the active partitions', () => {
    const tracker = new WatermarkTracker(MINUTE)
    tracker.assign(0, 100, 0)
    tracker.assign(1, 50, 0)
    tracker.assign(2, 70, 0)
    assert.equal(tracker.instanceWatermark(0), 50)
    assert.equal(tracker.othersWatermark(1, 0), 70)
  })

  it('ignores a partition silent for longer than the idle timeout', () => {
    const tracker = new WatermarkTracker(MINUTE)
    tracker.assign(0, 100, 0)
    tracker.assign(1, 50, 0)
    tracker.observe(0, 120, MINUTE + 1)
    assert.deepEqual(tracker.idle(MINUTE + 1), [1])
    assert.equal(tracker.instanceWatermark(MINUTE + 1), 120)
    assert.equal(tracker.othersWatermark(0, MINUTE + 1), UNBOUNDED)
  })

  it('counts a partition as active again once it delivers records', () => {
    const tracker = new WatermarkTracker(MINUTE)
    tracker.assign(0, 100, 0)
    tracker.assign(1, 50, 0)
    tracker.observe(1, 60, 5 * MINUTE)
    assert.equal(tracker.othersWatermark(0, 5 * MINUTE), 60)
  })

  it('holds the instance back while a newly assigned partition has no data yet', () => {
    const tracker = new WatermarkTracker(MINUTE)
    tracker.assign(0, 100, 0)
    tracker.assign(1, NO_WATERMARK, 0)
    assert.equal(tracker.othersWatermark(0, 0), NO_WATERMARK)
  })

  it('forgets released partitions and never lowers a watermark', () => {
    const tracker = new WatermarkTracker(MINUTE)
    tracker.assign(0, 100, 0)
    tracker.assign(1, 50, 0)
    tracker.release(1)
    tracker.observe(0, 90, 0)
    assert.deepEqual(tracker.partitions, [0])
    assert.equal(tracker.instanceWatermark(0), 100)
  })
})

describe('aggregationSpec', () => {
  it('defaults to UTC days, 10 min out-of-orderness and 1 h / 6 h / 12 h lateness', () => {
    const spec = aggregationSpec()
    assert.deepEqual(
      [spec.dailyZone, spec.outOfOrderness, spec.allowedLateness],
      ['utc', 10 * MINUTE, { daily: HOUR, weekly: 6 * HOUR, monthly: 12 * HOUR }],
    )
    assert.ok(Object.isFrozen(spec) && Object.isFrozen(spec.allowedLateness))
  })
  it('rejects a negative lateness, naming the setting and the bound', () => {
    assert.throws(() => aggregationSpec({ allowedLateness: { weekly: -1 } }), {
      name: 'RangeError',
      message: /allowedLateness\.weekly must be a whole number of microseconds in 0\.\.2678400000000, got -1/,
    })
  })
  it('rejects an out-of-orderness above a week', () => {
    assert.throws(
      () => aggregationSpec({ outOfOrderness: 8 * 24 * HOUR }),
      /outOfOrderness must be .* 0\.\.604800000000/,
    )
  })
  it('rejects an unknown daily zone mode', () => {
    assert.throws(() => aggregationSpec({ dailyZone: 'local' as never }), /dailyZone must be 'utc' or 'user'/)
  })
})
