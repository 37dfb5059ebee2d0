// One batch of one partition, as pure functions: which windows each sample falls in, which samples
// are too late, the per-window deltas (pre-aggregation), and what the deltas and the watermark do to
// the stored windows: merge, fire, update late, finalise, fire early. The pipeline does the I/O.
import type { Micros, ValidatedSample } from '@healthstream/shared/domain'
import { type Window, windowId, windowsOf } from './definitions.ts'
import type { AggregationSpec } from './spec.ts'
import { addValue, initStats, mergeStats, type Stats } from './stats.ts'
import type { CommitRequest, LoadResult, OffsetGroup, WindowState } from './store.ts'
import { windowPhase } from './watermark.ts'

/**
 * The fields of a sample the aggregation reads. Event time is `startTime`: the instant a measurement
 * began (for interval samples such as steps, the start decides the window, so an interval is never
 * split or counted twice).
 */
export type AggregationSample = Pick<
  ValidatedSample,
  'userId' | 'dataType' | 'unit' | 'value' | 'startTime' | 'sampleId' | 'timeZone'
>

/** A window with its id. */
export interface AssignedWindow {
  readonly id: string
  readonly window: Window
}

/** The change a batch makes to one window: the statistics of its samples in that window. */
export interface Delta {
  readonly id: string
  readonly userId: string
  readonly dataType: string
  readonly unit: string
  readonly window: Window
  readonly stats: Stats
}

/** The windows (daily, weekly, monthly) of a sample, with their ids. */
export function assignWindows(sample: AggregationSample, spec: AggregationSpec): AssignedWindow[] {
  return windowsOf(sample.startTime, spec.dailyZone, sample.timeZone).map((window) => ({
    id: windowId(sample.userId, sample.dataType, window),
    window,
  }))
}

/** Samples split into per-window deltas and those no window takes any more. */
export interface BatchPlan<S> {
  readonly deltas: ReadonlyMap<string, Delta>
  /** Samples past the allowed lateness of every window they belong to (dead letters, TOO_LATE). */
  readonly tooLate: readonly S[]
}

/**
 * Pre-aggregates a batch: each sample goes into those of its windows that still take data at the
 * watermark the batch starts from (`windowPhase` not `expired`), so a sample too late for its day
 * still counts for its week and month. Samples are added in batch order, so a retried batch yields
 * bit-identical deltas.
 */
export function planBatch<S extends AggregationSample>(
  samples: readonly { readonly sample: S; readonly windows: readonly AssignedWindow[] }[],
  spec: AggregationSpec,
  watermark: Micros,
  states: ReadonlyMap<string, WindowState>,
): BatchPlan<S> {
  const deltas = new Map<string, { -readonly [K in keyof Delta]: Delta[K] }>()
  const tooLate: S[] = []
  for (const { sample, windows } of samples) {
    let accepted = 0
    for (const { id, window } of windows) {
      const lateness = spec.allowedLateness[window.granularity]
      if (windowPhase(window.end, lateness, watermark) === 'expired' || states.get(id)?.final) continue
      accepted++
      let delta = deltas.get(id)
      if (delta === undefined) {
        const { userId, dataType, unit } = sample
        delta = { id, userId, dataType, unit, window, stats: initStats() }
        deltas.set(id, delta)
      }
      delta.stats = addValue(delta.stats, {
        time: sample.startTime,
        value: sample.value,
        id: sample.sampleId,
      })
    }
    if (accepted === 0) tooLate.push(sample)
  }
  return { deltas, tooLate }
}

/** What applying a batch yields: the rows to emit and the changes to store. */
export interface StepResult {
  /** Window states at the revision they are emitted with, ordered by id. */
  readonly emitted: readonly WindowState[]
  readonly watermark: Micros
  readonly changes: Omit<CommitRequest, 'partition' | 'epoch' | 'expectedVersion' | 'outbox' | 'now'>
}

/** Inputs of `applyBatch`. */
export interface StepInput {
  readonly spec: AggregationSpec
  readonly load: LoadResult
  readonly deltas: ReadonlyMap<string, Delta>
  readonly batchMaxEventTime: Micros
  readonly group: OffsetGroup
  readonly now: Micros
}

class Changes {
  readonly states: Map<string, WindowState>
  readonly put = new Map<string, WindowState>()
  readonly finals: WindowState[] = []
  readonly emitted = new Map<string, WindowState>()
  readonly timers = new Map<string, Micros>()
  readonly cancelTimers: string[] = []
  readonly dirtyAdd = new Set<string>()
  readonly dirtyRemove: string[] = []
  readonly created: string[] = []

  constructor(states: ReadonlyMap<string, WindowState>) {
    this.states = new Map(states)
  }

  store(state: WindowState): void {
    this.states.set(state.id, state)
    this.put.set(state.id, state)
  }

  emit(state: WindowState, changes: Partial<WindowState>, now: Micros): WindowState {
    const next = { ...state, ...changes, revision: state.revision + 1, updatedAt: now }
    this.emitted.set(next.id, next)
    this.dirtyAdd.delete(next.id)
    if (next.final) {
      this.put.delete(next.id)
      this.states.set(next.id, next)
      this.finals.push(next)
    } else this.store(next)
    return next
  }
}

/**
 * Applies a batch's deltas to the loaded windows at the batch's firing watermark and decides the rows:
 * - a window the watermark passes fires once (`isFinal=false`), or straight to final if its lateness
 *   has passed too; with zero lateness the first row is final;
 * - a fired window that takes late data emits an update (one per batch, the next revision);
 * - when lateness expires the final row is emitted (`isFinal=true`) and the window stops taking data;
 * - with early firing on, open windows changed since the last early firing emit provisional rows
 *   once the interval has passed.
 */
export function applyBatch(input: StepInput): StepResult {
  const { spec, load, now } = input
  const changes = new Changes(load.states)
  const touched = mergeDeltas(changes, input.deltas, now)
  const candidates = [...new Set([...touched, ...load.due])].sort()
  for (const id of candidates) advance(changes, id, touched.has(id), spec, load.fireWatermark, now)
  let earlyFiredAt = load.meta.earlyFiredAt
  const dirtyClear = load.dirty !== null
  if (dirtyClear) {
    earlyFiredAt = now
    for (const id of [...new Set([...load.dirty!, ...changes.dirtyAdd])].sort()) {
      const state = changes.states.get(id)
      if (state !== undefined && !state.fired && !changes.emitted.has(id)) changes.emit(state, {}, now)
    }
    changes.dirtyAdd.clear()
  }
  return {
    emitted: [...changes.emitted.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    watermark: load.fireWatermark,
    changes: {
      meta: {
        group: input.group,
        maxEventTime: Math.max(load.meta.maxEventTime, input.batchMaxEventTime),
        fireWatermark: load.fireWatermark,
        earlyFiredAt,
      },
      put: [...changes.put.values()],
      finals: changes.finals,
      created: changes.created,
      retention: spec.retention,
      timers: changes.timers,
      cancelTimers: changes.cancelTimers,
      dirtyAdd: [...changes.dirtyAdd],
      dirtyRemove: changes.dirtyRemove,
      dirtyClear,
    },
  }
}

/** Merges each delta into its window (creating it with a timer at its end); returns the ids touched. */
function mergeDeltas(changes: Changes, deltas: ReadonlyMap<string, Delta>, now: Micros): Set<string> {
  const touched = new Set<string>()
  for (const delta of deltas.values()) {
    const previous = changes.states.get(delta.id)
    if (previous === undefined) {
      const { id, userId, dataType, unit, window, stats } = delta
      changes.store({
        id,
        userId,
        dataType,
        unit,
        window,
        stats,
        fired: false,
        final: false,
        revision: 0,
        updatedAt: now,
      })
      changes.timers.set(id, window.end)
      changes.created.push(id)
    } else {
      changes.store({ ...previous, stats: mergeStats(previous.stats, delta.stats), updatedAt: now })
    }
    touched.add(delta.id)
  }
  return touched
}

/** Moves one window along at the watermark: fire, late update, finalise, or mark it dirty. */
function advance(
  changes: Changes,
  id: string,
  touched: boolean,
  spec: AggregationSpec,
  watermark: Micros,
  now: Micros,
): void {
  const state = changes.states.get(id)
  if (state === undefined || state.final) {
    changes.timers.delete(id)
    changes.cancelTimers.push(id)
    return
  }
  const lateness = spec.allowedLateness[state.window.granularity]
  const phase = windowPhase(state.window.end, lateness, watermark)
  if (phase === 'expired') {
    changes.emit(state, { fired: true, final: true }, now)
    changes.timers.delete(id)
    changes.cancelTimers.push(id)
    if (spec.earlyFireInterval > 0) changes.dirtyRemove.push(id)
  } else if (phase === 'fired') {
    if (!state.fired || touched) changes.emit(state, { fired: true }, now)
    if (!state.fired) {
      changes.timers.set(id, state.window.end + lateness)
      if (spec.earlyFireInterval > 0) changes.dirtyRemove.push(id)
    }
  } else if (touched && spec.earlyFireInterval > 0) changes.dirtyAdd.add(id)
}
