import { localDayMinute, localToEpoch } from './clock.ts'
import type { User } from './population.ts'
import { hash01, type Rng } from './prng.ts'

/**
 * Daily rhythms: when a user sleeps, eats, walks and works out, and what the body reports then.
 * Facts about a moment come from stateless hashes of (user, day, slot), so the heart rate and the
 * step count of one moment agree without sharing state, and a run repeats from its seed.
 */

/** What the user is doing at a moment; drives every value model. */
export type Activity = 'sleep' | 'rest' | 'walk' | 'workout'

/** One local day of a user. Minutes count from that day's local midnight and may pass 1440. */
export interface DayPlan {
  readonly sleepStart: number
  readonly sleepEnd: number
  readonly workout: { readonly start: number; readonly end: number; readonly intensity: number } | undefined
  readonly meals: readonly number[]
}

const plans = new WeakMap<User, Map<number, DayPlan>>()

/** The plan of local `day`; cached per user (a few days are in use at any time). */
export function dayPlan(user: User, day: number): DayPlan {
  let cache = plans.get(user)
  if (!cache) {
    cache = new Map()
    plans.set(user, cache)
  }
  let plan = cache.get(day)
  if (!plan) {
    if (cache.size > 8) cache.clear()
    plan = buildPlan(user, day)
    cache.set(day, plan)
  }
  return plan
}

function buildPlan(user: User, day: number): DayPlan {
  const r = (k: number) => hash01(user.seed, day, k)
  // Weekends (day 3 = Sunday, 2 = Saturday since 1970-01-01 was a Thursday) start later.
  const weekend = ((day % 7) + 7) % 7 >= 2 && ((day % 7) + 7) % 7 <= 3
  const sleepStart = user.bedtime + Math.round((r(1) - 0.5) * 60) + (weekend ? 45 : 0)
  const sleepEnd = sleepStart + user.sleepMinutes + Math.round((r(2) - 0.5) * 50)
  const wake = sleepEnd - 1440
  const trains = r(3) < 0.2 + 0.35 * user.activity
  const workoutStart = r(4) < 0.5 ? wake + 30 + Math.round(r(5) * 40) : 17 * 60 + Math.round(r(5) * 150)
  const workout = trains
    ? { start: workoutStart, end: workoutStart + 25 + Math.round(r(6) * 60), intensity: 0.55 + 0.35 * r(7) }
    : undefined
  const meals = [
    wake + 30 + Math.round(r(8) * 45),
    12 * 60 + Math.round(r(9) * 90),
    18 * 60 + Math.round(r(10) * 120),
  ]
  return { sleepStart, sleepEnd, workout, meals }
}

/** Walking is likelier at commute and lunch hours and for more active users. */
function walkChance(user: User, minute: number): number {
  const hour = minute / 60
  const peak =
    (hour >= 7.5 && hour < 9) || (hour >= 12 && hour < 13.5) || (hour >= 17 && hour < 19) ? 0.45 : 0.15
  return peak * (0.5 + user.activity)
}

/** What the user does at `epochMs`. */
export function activityAt(user: User, epochMs: number): Activity {
  const { day, minute } = localDayMinute(epochMs, user.zone)
  if (minute + 1440 < dayPlan(user, day - 1).sleepEnd) return 'sleep'
  const plan = dayPlan(user, day)
  if (minute >= plan.sleepStart) return 'sleep'
  if (plan.workout && minute >= plan.workout.start && minute < plan.workout.end) return 'workout'
  const slot = Math.floor(minute / 10)
  return hash01(user.seed, day * 144 + slot, 99) < walkChance(user, minute) ? 'walk' : 'rest'
}

/** Workout intensity at a moment (0 when not working out). */
function intensityAt(user: User, epochMs: number): number {
  const { day } = localDayMinute(epochMs, user.zone)
  return dayPlan(user, day).workout?.intensity ?? 0.7
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v))

/** Beats per minute: low at night, higher by day, a plateau near 60–90 % of max during workouts. */
export function heartRate(user: User, activity: Activity, epochMs: number, rng: Rng): number {
  const r = user.restingHr
  let bpm: number
  if (activity === 'sleep') bpm = rng.normal(r - 6, 2.5)
  else if (activity === 'rest') bpm = rng.normal(r + 10, 5)
  else if (activity === 'walk') bpm = rng.normal(r + 32, 8)
  else bpm = rng.normal(r + (user.maxHr - r) * intensityAt(user, epochMs), 7)
  return Math.round(clamp(bpm, 38, user.maxHr))
}

/** Steps in a 10-minute slot: bursts when walking, running in workouts, a handful otherwise. */
export function stepsInSlot(user: User, activity: Activity, rng: Rng): number {
  if (activity === 'sleep') return 0
  if (activity === 'workout') return Math.round(rng.between(1100, 1750))
  if (activity === 'walk') return Math.round(rng.between(350, 1150) * (0.6 + 0.4 * user.activity))
  return rng.chance(0.45) ? Math.round(rng.between(5, 120)) : 0
}

/** Active kilocalories in a 10-minute slot. */
export function activeEnergyInSlot(user: User, activity: Activity, rng: Rng): number {
  const perKg = user.weightKg / 75
  if (activity === 'sleep') return 0
  if (activity === 'workout') return rng.between(70, 130) * perKg
  if (activity === 'walk') return rng.between(25, 45) * perKg
  return rng.between(2, 9) * perKg
}

/** Blood glucose (mg/dL): a fasting baseline plus a rise of about 50 minutes after each meal. */
export function bloodGlucose(user: User, epochMs: number, rng: Rng): number {
  const { day } = localDayMinute(epochMs, user.zone)
  let value = user.diabetic ? 135 : 90
  for (const d of [day - 1, day]) {
    for (const meal of dayPlan(user, d).meals) {
      const since = (epochMs - localToEpoch(d, meal, user.zone)) / 60_000
      if (since < 0 || since > 240) continue
      const amplitude = (user.diabetic ? 95 : 42) * (0.8 + 0.4 * hash01(user.seed, d * 4 + meal, 5))
      value += amplitude * (since / 50) * Math.exp(1 - since / 50)
    }
  }
  if (activityAt(user, epochMs) === 'workout') value -= 15
  return Math.round(clamp(rng.normal(value, 4), 45, 420))
}

/** SpO2 (%): 94–99, a little lower in sleep with rare dips. */
export function oxygenSaturation(activity: Activity, rng: Rng): number {
  const dip = activity === 'sleep' && rng.chance(0.05) ? rng.between(3, 6) : 0
  return Math.round(clamp(rng.normal(activity === 'sleep' ? 95.5 : 97.5, 1) - dip, 86, 100))
}

/** Breaths per minute. */
export function respiratoryRate(activity: Activity, rng: Rng): number {
  const mean = activity === 'sleep' ? 14 : activity === 'workout' ? 32 : activity === 'walk' ? 20 : 16
  return Math.round(clamp(rng.normal(mean, 1.5), 8, 45))
}

/** Body temperature (°C), lowest in the morning. */
export function bodyTemperature(rng: Rng): number {
  return Math.round(clamp(rng.normal(36.6, 0.25), 35.8, 37.8) * 10) / 10
}

/** Body weight (kg): the user's weight with a slow drift over weeks. */
export function bodyWeight(user: User, day: number, rng: Rng): number {
  return Math.round((user.weightKg + Math.sin(day / 20 + user.index) * 1.5 + rng.normal(0, 0.3)) * 10) / 10
}

/** Systolic and diastolic blood pressure (mmHg). */
export function bloodPressure(user: User, rng: Rng): [number, number] {
  const base = 112 + (user.diabetic ? 12 : 0) + (user.restingHr - 60) * 0.4
  const systolic = Math.round(clamp(rng.normal(base, 7), 90, 175))
  return [systolic, Math.round(clamp(rng.normal(systolic * 0.63, 4), 55, 110))]
}

/** Minutes asleep in a 30-minute slot that lies in the sleep period. */
export function minutesAsleep(rng: Rng): number {
  return rng.chance(0.7) ? 30 : rng.int(18, 29)
}
