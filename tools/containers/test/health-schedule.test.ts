import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { type CheckedContainer, DEFAULT_INTERVAL_MS, dueChecks, periodMs } from '../health-schedule.ts'

const container = (over: Partial<CheckedContainer> = {}): CheckedContainer => ({
  id: 'a',
  startedAtMs: 1_000,
  intervalMs: 5_000,
  status: 'starting',
  ...over,
})

describe('health-check schedule', () => {
  it('checks first one interval after the container started, as Docker does', () => {
    assert.deepEqual(dueChecks([container()], new Map(), 5_999), [])
    assert.deepEqual(dueChecks([container()], new Map(), 6_000), ['a'])
  })

  it('checks again one interval after the last check', () => {
    const last = new Map([['a', 10_000]])
    assert.deepEqual(dueChecks([container({ status: 'healthy' })], last, 14_999), [])
    assert.deepEqual(dueChecks([container({ status: 'healthy' })], last, 15_000), ['a'])
  })

  it("uses Docker's 30 s default when the HEALTHCHECK gives no interval", () => {
    assert.equal(periodMs(container({ intervalMs: 0 })), DEFAULT_INTERVAL_MS)
  })

  it('uses the start interval only while the container is starting', () => {
    assert.equal(periodMs(container({ startIntervalMs: 1_000 })), 1_000)
    assert.equal(periodMs(container({ startIntervalMs: 1_000, status: 'healthy' })), 5_000)
  })

  it('schedules each container on its own clock', () => {
    const fast = container({ id: 'fast', intervalMs: 1_000 })
    const slow = container({ id: 'slow', intervalMs: 60_000 })
    assert.deepEqual(dueChecks([fast, slow], new Map(), 2_000), ['fast'])
  })
})
