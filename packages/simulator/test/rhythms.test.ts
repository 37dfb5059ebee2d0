import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { localToEpoch } from '../src/clock.ts'
import { createUsers } from '../src/population.ts'
import { Rng } from '../src/prng.ts'
import { activityAt, bloodGlucose, dayPlan, heartRate } from '../src/rhythms.ts'
import { generateAll } from './helpers.ts'

const users = createUsers(50, 42, 0.5)
const DAY = Math.floor(Date.parse('2026-11-23T00:00:00Z') / 86_400_000)
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length

describe('daily rhythms', () => {
  it('puts every user to sleep at 3:00 local time and wakes them by noon', () => {
    for (const user of users) {
      assert.equal(activityAt(user, localToEpoch(DAY, 3 * 60, user.zone)), 'sleep', user.userId)
      assert.notEqual(activityAt(user, localToEpoch(DAY, 12 * 60, user.zone)), 'sleep', user.userId)
    }
  })

  it('has heart rates lowest in sleep and highest in workouts', () => {
    const rng = new Rng(3)
    const user = users[0]!
    const at = (activity: 'sleep' | 'rest' | 'workout') =>
      mean(
        Array.from({ length: 200 }, () => heartRate(user, activity, localToEpoch(DAY, 600, user.zone), rng)),
      )
    assert.ok(at('sleep') < at('rest') && at('rest') + 30 < at('workout'))
  })

  it('raises blood glucose in the hour after a meal', () => {
    const user = users.find((u) => u.glucose !== 'none')!
    const lunch = dayPlan(user, DAY).meals[1]!
    const rng = new Rng(4)
    const before = mean(
      Array.from({ length: 50 }, () => bloodGlucose(user, localToEpoch(DAY, lunch - 10, user.zone), rng)),
    )
    const after = mean(
      Array.from({ length: 50 }, () => bloodGlucose(user, localToEpoch(DAY, lunch + 50, user.zone), rng)),
    )
    assert.ok(after > before + 25, `${before} → ${after}`)
  })

  it('records sleep_minutes only in the night and weight about once a week', () => {
    const batches = generateAll({ users: 10, samples: 40_000, invalidShare: 0, lateShare: 0 })
    const truth = batches
      .filter((b) => !b.duplicate)
      .flatMap((b) => b.truth.map((t) => ({ t, user: b.batch.userId })))
    for (const { t, user } of truth.filter(({ t }) => t.dataType === 'sleep_minutes')) {
      const u = users.find((x) => x.userId === user)!
      assert.equal(activityAt(u, t.startMicros! / 1000), 'sleep')
    }
    const days = (truth.at(-1)!.t.startMicros! - truth[0]!.t.startMicros!) / 86_400e6
    const weighIns = truth.filter(({ t }) => t.dataType === 'body_weight').length
    assert.ok(
      weighIns >= 10 * Math.floor(days / 7) - 10 && weighIns <= 10 * Math.ceil(days / 7),
      `${weighIns} in ${days} days`,
    )
  })
})
