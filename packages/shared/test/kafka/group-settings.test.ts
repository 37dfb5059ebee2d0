import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { groupSettings } from '../../src/kafka/platformatic-consumer.ts'

describe('the group settings every consumer uses', () => {
  it('are a 30 s session with a 3 s heartbeat, a minute to rebalance, from the earliest record, by default', () => {
    assert.deepEqual(groupSettings(), {
      sessionTimeoutMs: 30_000,
      heartbeatIntervalMs: 3_000,
      rebalanceTimeoutMs: 60_000,
      startFrom: 'earliest',
      rejoinDelayMs: 1_000,
    })
  })

  it('beat a tenth of the session, never more often than every 500 ms', () => {
    assert.equal(groupSettings({ sessionTimeoutMs: 45_000 }).heartbeatIntervalMs, 4_500)
    assert.equal(groupSettings({ sessionTimeoutMs: 6_005 }).heartbeatIntervalMs, 600)
    assert.equal(groupSettings({ sessionTimeoutMs: 3_000 }).heartbeatIntervalMs, 500)
  })

  it('keep what the caller chose', () => {
    const s = groupSettings({ sessionTimeoutMs: 10_000, heartbeatIntervalMs: 500, startFrom: 'latest' })
    assert.equal(s.heartbeatIntervalMs, 500)
    assert.equal(s.startFrom, 'latest')
    assert.equal(s.rebalanceTimeoutMs, 60_000)
  })
})
