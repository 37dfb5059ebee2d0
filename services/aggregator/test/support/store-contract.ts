// The behaviour every AggregateStore must have; run against the in-memory store (unit tests) and
// Redis (integration tests), so the two cannot drift apart.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { dailyWindow, monthlyWindow, windowId } from '../../src/windows/definitions.ts'
import { statsOf } from '../../src/windows/stats.ts'
import type { AggregateStore, CommitRequest, LoadRequest, WindowState } from '../../src/windows/store.ts'
import { NO_WATERMARK, UNBOUNDED } from '../../src/windows/watermark.ts'
import { HOUR, MINUTE, us } from './samples.ts'

const NOW = us('2026-03-20T00:00:00Z')

/** A window state of user `userId` at `at` (daily unless monthly). */
export function windowState(userId: string, at: string, overrides: Partial<WindowState> = {}): WindowState {
  const window = overrides.window ?? dailyWindow(us(at))
  const dataType = overrides.dataType ?? 'heart_rate'
  return {
    id: windowId(userId, dataType, window),
    userId,
    dataType,
    unit: 'count/min',
    window,
    stats: statsOf([{ time: us(at), value: 61.5, id: 's-1' }]),
    fired: false,
    final: false,
    revision: 0,
    updatedAt: NOW,
    ...overrides,
  }
}

/** A load of `partition` at claim epoch 1 that reads nothing, with `overrides`. */
export function loadRequest(partition: number, overrides: Partial<LoadRequest> = {}): LoadRequest {
  return {
    partition,
    epoch: 1,
    ids: [],
    batchMaxEventTime: NO_WATERMARK,
    othersWatermark: UNBOUNDED,
    outOfOrderness: 10 * MINUTE,
    earlyFireInterval: 0,
    now: NOW,
    firstOffset: 0,
    ...overrides,
  }
}

/** A commit of `partition` (claim epoch 1, version 0): group [0, 9], a small outbox, no windows; with `overrides`. */
export function commitRequest(partition: number, overrides: Partial<CommitRequest> = {}): CommitRequest {
  return {
    partition,
    epoch: 1,
    expectedVersion: 0,
    meta: {
      group: { from: 0, to: 9 },
      maxEventTime: NO_WATERMARK,
      fireWatermark: NO_WATERMARK,
      earlyFiredAt: 0,
    },
    put: [],
    finals: [],
    created: [...(overrides.put ?? []), ...(overrides.finals ?? [])].map((w) => w.id),
    retention: 24 * HOUR,
    timers: new Map(),
    cancelTimers: [],
    dirtyAdd: [],
    dirtyRemove: [],
    dirtyClear: false,
    outbox: new Uint8Array([0, 1, 2, 255]),
    now: NOW,
    ...overrides,
  }
}

/** Runs the contract against stores made by `make`; each test gets a fresh store. */
export function describeStoreContract(name: string, make: () => AggregateStore): void {
  describe(`${name} (AggregateStore contract)`, () => {
    it('claims an unwritten partition with empty state', async () => {
      const meta = await make().claim(3, 7, NOW)
      assert.deepEqual(
        [meta.generation, meta.epoch, meta.version, meta.group, meta.maxEventTime, meta.fireWatermark],
        [7, 1, 0, null, NO_WATERMARK, NO_WATERMARK],
      )
    })

    it('gives every claim a new epoch and refuses loads and commits of an earlier one', async () => {
      const store = make()
      const first = await store.claim(0, 1, NOW)
      const second = await store.claim(0, 2, NOW)
      assert.deepEqual([first.epoch, second.epoch], [1, 2])
      await assert.rejects(store.load(loadRequest(0, { epoch: 1 })), { code: 'FENCED' })
      await assert.rejects(store.commit(commitRequest(0, { epoch: 1 })), { code: 'FENCED' })
      await store.commit(commitRequest(0, { epoch: 2 }))
    })

    it('fences a previous claim of the same generation (a restarted static member and its zombie)', async () => {
      const store = make()
      await store.claim(0, 3, NOW)
      const restarted = await store.claim(0, 3, NOW)
      await assert.rejects(store.commit(commitRequest(0, { epoch: restarted.epoch - 1 })), { code: 'FENCED' })
      await store.commit(commitRequest(0, { epoch: restarted.epoch }))
    })

    it('refuses a claim by an older generation, unless the newer claim lies unused beyond the reset horizon', async () => {
      const store = make()
      await store.claim(0, 5, NOW)
      await assert.rejects(store.claim(0, 4, NOW + MINUTE), { code: 'FENCED' })
      const meta = await store.claim(0, 1, NOW + 2 * HOUR)
      assert.equal(meta.generation, 1)
    })

    it('applies a commit atomically and returns its states, meta and outbox on the next load', async () => {
      const store = make()
      await store.claim(0, 1, NOW)
      const state = windowState('u-1', '2026-03-10T12:00:00Z')
      const meta = { group: { from: 10, to: 19 }, maxEventTime: 100, fireWatermark: 50, earlyFiredAt: 7 }
      await store.commit(commitRequest(0, { put: [state], meta }))
      const replay = await store.load(loadRequest(0, { ids: [state.id, 'missing'], firstOffset: 10 }))
      assert.deepEqual(replay.states.get(state.id), state)
      assert.equal(replay.states.size, 1)
      assert.deepEqual(
        [
          replay.meta.version,
          replay.meta.group,
          replay.meta.maxEventTime,
          replay.meta.fireWatermark,
          replay.meta.earlyFiredAt,
        ],
        [1, { from: 10, to: 19 }, 100, 50, 7],
      )
      assert.deepEqual([...replay.outbox!], [0, 1, 2, 255])
      const fresh = await store.load(loadRequest(0, { firstOffset: 20 }))
      assert.equal(fresh.outbox, null)
    })

    it('rejects a commit from a stale version and applies none of it', async () => {
      const store = make()
      await store.claim(0, 1, NOW)
      await store.commit(commitRequest(0))
      const state = windowState('u-1', '2026-03-10T12:00:00Z')
      await assert.rejects(store.commit(commitRequest(0, { put: [state] })), { code: 'CONFLICT' })
      assert.equal((await store.load(loadRequest(0, { ids: [state.id] }))).states.size, 0)
    })

    it('computes the firing watermark and returns the windows whose timers are due', async () => {
      const store = make()
      await store.claim(0, 1, NOW)
      const a = windowState('u-1', '2026-03-10T12:00:00Z')
      const b = windowState('u-1', '2026-03-11T12:00:00Z')
      const meta = { group: { from: 0, to: 9 }, maxEventTime: 0, fireWatermark: 0, earlyFiredAt: 0 }
      const timers = new Map([
        [a.id, a.window.end],
        [b.id, b.window.end],
      ])
      await store.commit(commitRequest(0, { put: [a, b], timers, meta }))
      const batchMax = b.window.start + 10 * MINUTE
      const held = await store.load(
        loadRequest(0, { batchMaxEventTime: batchMax, othersWatermark: b.window.start - HOUR }),
      )
      assert.equal(held.fireWatermark, b.window.start - HOUR)
      assert.deepEqual(held.due, [])
      const free = await store.load(loadRequest(0, { batchMaxEventTime: batchMax }))
      assert.equal(free.fireWatermark, b.window.start)
      assert.deepEqual(free.due, [a.id])
      assert.deepEqual(free.states.get(a.id), a)
    })

    it('fires an idle partition by the others alone, past its own watermark', async () => {
      const store = make()
      await store.claim(0, 1, NOW)
      const meta = { group: { from: 0, to: 9 }, maxEventTime: HOUR, fireWatermark: 0, earlyFiredAt: 0 }
      await store.commit(commitRequest(0, { meta }))
      const held = await store.load(loadRequest(0, { othersWatermark: 5 * HOUR }))
      assert.equal(held.fireWatermark, HOUR - 10 * MINUTE)
      const idle = await store.load(loadRequest(0, { othersWatermark: 5 * HOUR, idle: true }))
      assert.equal(idle.fireWatermark, 5 * HOUR)
    })

    it('stores a tick under its anchor and keeps the outbox of a commit without one', async () => {
      const store = make()
      await store.claim(2, 1, NOW)
      await store.commit(commitRequest(2))
      assert.equal(await store.readTick(2, 1), null)
      const { outbox: _, ...withoutOutbox } = commitRequest(2, { expectedVersion: 1 })
      await store.commit({ ...withoutOutbox, tick: { anchor: 1, data: new Uint8Array([7, 0, 8]) } })
      await store.commit({
        ...commitRequest(2, { expectedVersion: 2 }),
        outbox: undefined,
        tick: { anchor: 3, data: new Uint8Array([9]) },
      })
      assert.deepEqual([...((await store.readTick(2, 1)) ?? [])], [7, 0, 8])
      assert.deepEqual([...((await store.readTick(2, 3)) ?? [])], [9])
      const load = await store.load(loadRequest(2))
      assert.deepEqual([...(load.outbox ?? [])], [0, 1, 2, 255])
    })

    it('never moves the firing watermark back', async () => {
      const store = make()
      await store.claim(0, 1, NOW)
      const meta = {
        group: { from: 0, to: 9 },
        maxEventTime: 5 * HOUR,
        fireWatermark: 5 * HOUR,
        earlyFiredAt: 0,
      }
      await store.commit(commitRequest(0, { meta }))
      const load = await store.load(loadRequest(0, { batchMaxEventTime: HOUR, othersWatermark: 0 }))
      assert.equal(load.fireWatermark, 5 * HOUR)
    })

    it('returns the dirty windows only when early firing is due', async () => {
      const store = make()
      await store.claim(0, 1, NOW)
      const a = windowState('u-1', '2026-03-10T12:00:00Z')
      const meta = {
        group: { from: 0, to: 9 },
        maxEventTime: 0,
        fireWatermark: 0,
        earlyFiredAt: NOW - MINUTE,
      }
      await store.commit(commitRequest(0, { put: [a], dirtyAdd: [a.id], meta }))
      assert.equal((await store.load(loadRequest(0, { earlyFireInterval: 2 * MINUTE }))).dirty, null)
      const due = await store.load(loadRequest(0, { earlyFireInterval: MINUTE }))
      assert.deepEqual(due.dirty, [a.id])
      assert.deepEqual(due.states.get(a.id), a)
      await store.commit(commitRequest(0, { expectedVersion: 1, dirtyClear: true }))
      assert.deepEqual((await store.load(loadRequest(0, { earlyFireInterval: MINUTE }))).dirty, [])
    })

    it('keeps final windows queryable for the retention, and drops them at once without one', async () => {
      const store = make()
      await store.claim(0, 1, NOW)
      const kept = windowState('u-1', '2026-03-10T12:00:00Z', { final: true, fired: true, revision: 2 })
      const dropped = windowState('u-1', '2026-03-11T12:00:00Z', { final: true, fired: true, revision: 2 })
      await store.commit(commitRequest(0, { finals: [kept] }))
      await store.commit(commitRequest(0, { expectedVersion: 1, finals: [dropped], retention: 0 }))
      assert.deepEqual(await store.query({ userId: 'u-1' }), [kept])
    })

    it('answers queries by user, data type, granularity and window start, across partitions', async () => {
      const store = make()
      await store.claim(0, 1, NOW)
      await store.claim(1, 1, NOW)
      const day10 = windowState('u-1', '2026-03-10T12:00:00Z')
      const day12 = windowState('u-1', '2026-03-12T12:00:00Z')
      const month = windowState('u-1', '2026-03-10T12:00:00Z', {
        window: monthlyWindow(us('2026-03-10T12:00:00Z')),
      })
      const steps = windowState('u-1', '2026-03-10T12:00:00Z', { dataType: 'steps' })
      const other = windowState('u-2', '2026-03-10T12:00:00Z')
      await store.commit(commitRequest(0, { put: [day10, day12, month, steps] }))
      await store.commit(commitRequest(1, { put: [other] }))
      assert.deepEqual(await store.query({ userId: 'u-1', dataType: 'heart_rate' }), [month, day10, day12])
      assert.deepEqual(await store.query({ userId: 'u-1', granularity: 'monthly' }), [month])
      const range = { from: us('2026-03-10T00:00:00Z'), to: us('2026-03-12T00:00:00Z') }
      assert.deepEqual(await store.query({ userId: 'u-1', dataType: 'heart_rate', ...range }), [day10])
      assert.deepEqual(await store.query({ userId: 'u-2' }), [other])
    })
  })
}
