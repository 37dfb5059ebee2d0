import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { aggregationSpec } from '../../src/windows/spec.ts'
import {
  type AggregationSample,
  applyBatch,
  assignWindows,
  type Delta,
  planBatch,
} from '../../src/windows/step.ts'
import { emptyMeta, type LoadResult, type WindowState } from '../../src/windows/store.ts'
import { NO_WATERMARK } from '../../src/windows/watermark.ts'
import { aggregationSample, HOUR, us } from '../support/samples.ts'

const spec = aggregationSpec()
const DAY_END = us('2026-03-11T00:00:00Z')
const WEEK_END = us('2026-03-16T00:00:00Z')
const MONTH_END = us('2026-04-01T00:00:00Z')

const plan = (
  samples: AggregationSample[],
  watermark = NO_WATERMARK,
  states = new Map<string, WindowState>(),
) =>
  planBatch(
    samples.map((s) => ({ sample: s, windows: assignWindows(s, spec) })),
    spec,
    watermark,
    states,
  )

function loaded(overrides: Partial<LoadResult> = {}): LoadResult {
  return {
    meta: emptyMeta(NO_WATERMARK),
    fireWatermark: NO_WATERMARK,
    states: new Map(),
    due: [],
    dirty: null,
    outbox: null,
    ...overrides,
  }
}

/** Applies `deltas` at `watermark` over `states`; returns the step and the states after it. */
function step(
  deltas: ReadonlyMap<string, Delta>,
  watermark: number,
  states: WindowState[] = [],
  due: string[] = [],
) {
  const result = applyBatch({
    spec,
    load: loaded({ fireWatermark: watermark, states: new Map(states.map((s) => [s.id, s])), due }),
    deltas,
    batchMaxEventTime: NO_WATERMARK,
    group: { from: 0, to: 0 },
    now: 1,
  })
  const after = new Map(states.map((s) => [s.id, s]))
  for (const s of [...result.changes.put, ...result.changes.finals]) after.set(s.id, s)
  return { result, after: [...after.values()] }
}

const daily = (states: readonly WindowState[]) => states.find((s) => s.window.granularity === 'daily')!

describe('planBatch', () => {
  it('pre-aggregates many samples of one series into one delta per window', () => {
    const { deltas, tooLate } = plan([
      aggregationSample({ value: 1 }),
      aggregationSample({ value: 2 }),
      aggregationSample({ value: 6 }),
    ])
    assert.equal(deltas.size, 3)
    assert.deepEqual(
      [...deltas.values()].map((d) => [d.window.granularity, d.stats.count, d.stats.sum]),
      [
        ['daily', 3, 9],
        ['weekly', 3, 9],
        ['monthly', 3, 9],
      ],
    )
    assert.deepEqual(tooLate, [])
  })

  it('keeps series of different users and data types apart', () => {
    const { deltas } = plan([
      aggregationSample(),
      aggregationSample({ userId: 'u-2' }),
      aggregationSample({ dataType: 'steps' }),
    ])
    assert.equal(deltas.size, 9)
  })

  it('counts a sample too late for its day in its week and month, and does not dead-letter it', () => {
    const { deltas, tooLate } = plan([aggregationSample()], DAY_END + HOUR)
    assert.deepEqual(
      [...deltas.values()].map((d) => d.window.granularity),
      ['weekly', 'monthly'],
    )
    assert.deepEqual(tooLate, [])
    const monthOnly = plan([aggregationSample()], WEEK_END + 6 * HOUR).deltas
    assert.deepEqual(
      [...monthOnly.values()].map((d) => d.window.granularity),
      ['monthly'],
    )
  })

  it('dead-letters a sample too late for every window it belongs to', () => {
    const late = aggregationSample()
    const onTime = aggregationSample({ startTime: us('2026-04-02T10:00:00Z') })
    const { deltas, tooLate } = plan([late, onTime], MONTH_END + 12 * HOUR)
    assert.deepEqual(tooLate, [late])
    assert.deepEqual(
      [...deltas.values()].map((d) => d.window.label),
      ['2026-04-02', '2026-W14', '2026-04'],
    )
  })

  it('does not add to a window that is already final', () => {
    const s = aggregationSample()
    const first = step(plan([s]).deltas, MONTH_END + 12 * HOUR)
    const finals = new Map(first.after.map((w) => [w.id, w]))
    assert.equal(plan([aggregationSample()], NO_WATERMARK, finals).tooLate.length, 1)
  })
})

describe('applyBatch', () => {
  it('stores a new window with a timer at its end and emits nothing while it is open', () => {
    const { result } = step(plan([aggregationSample()]).deltas, DAY_END - 1)
    assert.deepEqual(result.emitted, [])
    assert.equal(result.changes.put.length, 3)
    assert.equal(result.changes.timers.get(daily(result.changes.put).id), DAY_END)
  })

  it('fires a window once when the watermark passes its end, provisional until lateness expires', () => {
    const opened = step(plan([aggregationSample({ value: 3 })]).deltas, DAY_END - 1).after
    const fired = step(new Map(), DAY_END, opened, [daily(opened).id])
    assert.deepEqual(
      fired.result.emitted.map((s) => [s.window.granularity, s.revision, s.fired, s.final]),
      [['daily', 1, true, false]],
    )
    assert.equal(fired.result.changes.timers.get(daily(opened).id), DAY_END + HOUR)
    const again = step(new Map(), DAY_END + 1, fired.after, [])
    assert.deepEqual(again.result.emitted, [])
  })

  it('emits an update with the next revision for late data within the lateness', () => {
    const opened = step(plan([aggregationSample({ value: 3 })]).deltas, DAY_END - 1).after
    const fired = step(new Map(), DAY_END, opened, [daily(opened).id]).after
    const late = step(plan([aggregationSample({ value: 5 })], DAY_END).deltas, DAY_END + 1, fired)
    const row = daily(late.result.emitted)
    assert.deepEqual([row.revision, row.final, row.stats.count, row.stats.sum], [2, false, 2, 8])
  })

  it('emits the final row when lateness expires and cancels the timer', () => {
    const opened = step(plan([aggregationSample()]).deltas, DAY_END - 1).after
    const fired = step(new Map(), DAY_END, opened, [daily(opened).id]).after
    const final = step(new Map(), DAY_END + HOUR, fired, [daily(opened).id])
    assert.deepEqual(
      final.result.emitted.map((s) => [s.revision, s.final]),
      [[2, true]],
    )
    assert.deepEqual(
      final.result.changes.finals.map((s) => s.id),
      [daily(opened).id],
    )
    assert.deepEqual(final.result.changes.cancelTimers, [daily(opened).id])
  })

  it('goes straight to a final row when the watermark jumps past end and lateness at once', () => {
    const opened = step(plan([aggregationSample()]).deltas, DAY_END - 1).after
    const jumped = step(
      new Map(),
      MONTH_END + 12 * HOUR,
      opened,
      opened.map((s) => s.id),
    )
    assert.deepEqual(
      jumped.result.emitted.map((s) => [s.window.granularity, s.revision, s.final]),
      [
        ['daily', 1, true],
        ['monthly', 1, true],
        ['weekly', 1, true],
      ].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
    )
  })

  it('emits one row per window per batch however many late samples it takes', () => {
    const opened = step(plan([aggregationSample()]).deltas, DAY_END - 1).after
    const fired = step(new Map(), DAY_END, opened, [daily(opened).id]).after
    const late = step(
      plan([aggregationSample(), aggregationSample(), aggregationSample()], DAY_END).deltas,
      DAY_END,
      fired,
    )
    assert.equal(late.result.emitted.filter((s) => s.window.granularity === 'daily').length, 1)
    assert.equal(daily(late.result.emitted).stats.count, 4)
  })

  it('fires changed open windows early when early firing is due, and clears the dirty set', () => {
    const early = aggregationSpec({ earlyFireInterval: 60_000_000 })
    const deltas = planBatch(
      [{ sample: aggregationSample(), windows: assignWindows(aggregationSample(), early) }],
      early,
      NO_WATERMARK,
      new Map(),
    ).deltas
    const result = applyBatch({
      spec: early,
      load: loaded({ dirty: [] }),
      deltas,
      batchMaxEventTime: NO_WATERMARK,
      group: { from: 0, to: 0 },
      now: 123,
    })
    assert.deepEqual(
      result.emitted.map((s) => [s.revision, s.fired, s.final]),
      [
        [1, false, false],
        [1, false, false],
        [1, false, false],
      ],
    )
    assert.deepEqual(
      [result.changes.dirtyClear, result.changes.dirtyAdd, result.changes.meta.earlyFiredAt],
      [true, [], 123],
    )
  })

  it('marks changed open windows dirty while early firing is not yet due', () => {
    const early = aggregationSpec({ earlyFireInterval: 60_000_000 })
    const deltas = planBatch(
      [{ sample: aggregationSample(), windows: assignWindows(aggregationSample(), early) }],
      early,
      NO_WATERMARK,
      new Map(),
    ).deltas
    const result = applyBatch({
      spec: early,
      load: loaded(),
      deltas,
      batchMaxEventTime: 5,
      group: { from: 0, to: 0 },
      now: 1,
    })
    assert.deepEqual(
      [result.emitted.length, result.changes.dirtyAdd.length, result.changes.meta.maxEventTime],
      [0, 3, 5],
    )
  })
})
