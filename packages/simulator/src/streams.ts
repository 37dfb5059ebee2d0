import type { ReasonCode } from '@healthstream/shared/domain'
import { localDayMinute, localToEpoch } from './clock.ts'
import { fromCanonical, toCanonical } from './data-types.ts'
import type { Device, User } from './population.ts'
import { hash01, type Rng } from './prng.ts'
import * as body from './rhythms.ts'

/** A sample before it is framed into a batch: times in epoch ms, value as sent plus canonical. */
export interface Draft {
  dataType: string
  unit: string
  value: number | null
  /** The value in the canonical unit, computed the way the validator converts it. */
  canonical: number
  start: number
  end: number | null
  confidence: number | null
  sourceApp: string | null
  /** Set by a fault: the start time exactly as sent when it is not a well-formed ISO 8601 time. */
  startText?: string
  /** Set by a fault: the reason the pipeline must give; absent for a valid sample. */
  reason?: ReasonCode
}

interface Context {
  readonly user: User
  readonly device: Device
  readonly rng: Rng
  readonly out: Draft[]
}

/** A periodic source of one data type. `length` > 0 marks interval samples (complete ones only). */
interface Stream {
  readonly dataType: string
  readonly length: number
  applies(user: User, device: Device): boolean
  first(user: User, from: number): number
  /** Emits the samples of time `t` and returns the next time. */
  step(ctx: Context, t: number): number
}

const MIN = 60_000
const aligned = (step: number) => (_u: User, from: number) => Math.ceil(from / step) * step

/**
 * The next daily measurement strictly after `t`: local `minute` plus up to 20 minutes that vary by
 * day (people do not weigh themselves at the same second every morning).
 */
function nextDaily(user: User, t: number, minute: number): number {
  const { day } = localDayMinute(t, user.zone)
  for (let d = day - 1; ; d++) {
    const at = localToEpoch(d, minute, user.zone) + Math.floor(hash01(user.seed, d, minute) * 20 * MIN)
    if (at > t) return at
  }
}

function push(
  ctx: Context,
  dataType: string,
  canonical: number,
  start: number,
  end: number | null,
  unit?: string,
) {
  const { device } = ctx
  const sentUnit = unit ?? canonicalUnits[dataType]!
  const value =
    sentUnit === canonicalUnits[dataType]
      ? canonical
      : Math.round(fromCanonical(sentUnit, canonical) * 10) / 10
  const precise = device.timeStyle.millis
  const confidence =
    device.role === 'watch' && end === null ? Math.round(ctx.rng.between(0.7, 1) * 100) / 100 : null
  ctx.out.push({
    dataType,
    unit: sentUnit,
    value,
    canonical: toCanonical(dataType, sentUnit, value)!,
    start: precise ? start : Math.floor(start / 1000) * 1000,
    end: end === null || precise ? end : Math.floor(end / 1000) * 1000,
    confidence,
    sourceApp: sourceApps[device.platform] ?? null,
  })
}

const canonicalUnits: Record<string, string> = {
  heart_rate: 'count/min',
  resting_heart_rate: 'count/min',
  steps: 'count',
  active_energy: 'kcal',
  sleep_minutes: 'min',
  blood_glucose: 'mg/dL',
  oxygen_saturation: '%',
  body_weight: 'kg',
  body_temperature: 'degC',
  respiratory_rate: 'count/min',
  blood_pressure_systolic: 'mmHg',
  blood_pressure_diastolic: 'mmHg',
}

const sourceApps: Record<string, string> = {
  IOS: 'com.apple.Health',
  WATCH_OS: 'com.apple.Health',
  ANDROID: 'com.google.android.apps.healthdata',
  WEAR_OS: 'com.google.android.apps.fitness',
}

const onWatch = (_u: User, d: Device) => d.role === 'watch'
const jitter = (ctx: Context) => Math.round(ctx.rng.between(-20_000, 20_000))

const STREAMS: readonly Stream[] = [
  {
    dataType: 'heart_rate',
    length: 0,
    applies: onWatch,
    first: (_u, from) => from,
    step(ctx, t) {
      const activity = body.activityAt(ctx.user, t)
      push(ctx, 'heart_rate', body.heartRate(ctx.user, activity, t, ctx.rng), t, null)
      const every = { sleep: 10, rest: 4, walk: 2, workout: 1 }[activity] * MIN
      return t + every + jitter(ctx)
    },
  },
  {
    dataType: 'steps',
    length: 10 * MIN,
    // The phone counts steps only when no watch does, as the health apps deduplicate that way.
    applies: (u, d) => d.role === 'watch' || !u.devices.some((x) => x.role === 'watch'),
    first: aligned(10 * MIN),
    step(ctx, t) {
      const steps = body.stepsInSlot(ctx.user, body.activityAt(ctx.user, t), ctx.rng)
      if (steps > 0) push(ctx, 'steps', steps, t, t + 10 * MIN)
      return t + 10 * MIN
    },
  },
  {
    dataType: 'active_energy',
    length: 30 * MIN,
    applies: onWatch,
    first: aligned(30 * MIN),
    step(ctx, t) {
      let kcal = 0
      for (let s = t; s < t + 30 * MIN; s += 10 * MIN) {
        kcal += body.activeEnergyInSlot(ctx.user, body.activityAt(ctx.user, s), ctx.rng)
      }
      if (kcal > 0) push(ctx, 'active_energy', Math.round(kcal * 10) / 10, t, t + 30 * MIN)
      return t + 30 * MIN
    },
  },
  {
    dataType: 'sleep_minutes',
    length: 30 * MIN,
    applies: onWatch,
    first: aligned(30 * MIN),
    step(ctx, t) {
      if (body.activityAt(ctx.user, t) === 'sleep')
        push(ctx, 'sleep_minutes', body.minutesAsleep(ctx.rng), t, t + 30 * MIN)
      return t + 30 * MIN
    },
  },
  {
    dataType: 'oxygen_saturation',
    length: 0,
    applies: onWatch,
    first: (_u, from) => from + 7 * MIN,
    step(ctx, t) {
      const activity = body.activityAt(ctx.user, t)
      push(ctx, 'oxygen_saturation', body.oxygenSaturation(activity, ctx.rng), t, null)
      return t + (activity === 'sleep' ? 60 : 240) * MIN + jitter(ctx)
    },
  },
  {
    dataType: 'respiratory_rate',
    length: 0,
    applies: onWatch,
    first: (_u, from) => from + 13 * MIN,
    step(ctx, t) {
      const activity = body.activityAt(ctx.user, t)
      if (activity === 'sleep')
        push(ctx, 'respiratory_rate', body.respiratoryRate(activity, ctx.rng), t, null)
      return t + 30 * MIN + jitter(ctx)
    },
  },
  ...dailyStreams(),
  {
    dataType: 'blood_glucose',
    length: 0,
    applies: (u, d) => d.role === 'phone' && u.glucose !== 'none',
    first: aligned(5 * MIN),
    step(ctx, t) {
      const { user } = ctx
      const cgm = user.glucose === 'cgm'
      // Finger-stick users measure fasting and about an hour after meals.
      const { day, minute } = localDayMinute(t, user.zone)
      const plan = body.dayPlan(user, day)
      const due =
        cgm ||
        [plan.meals[0]! - 20, ...plan.meals.map((m) => m + 60)].some((m) => minute >= m && minute < m + 5)
      if (due) push(ctx, 'blood_glucose', body.bloodGlucose(user, t, ctx.rng), t, null, user.glucoseUnit)
      return t + (cgm ? 15 : 5) * MIN
    },
  },
]

/** Once-a-day measurements at a fixed local time. */
function dailyStreams(): Stream[] {
  const daily = (
    dataType: string,
    minute: number,
    applies: Stream['applies'],
    emit: (ctx: Context, t: number) => void,
  ) => ({
    dataType,
    length: 0,
    applies,
    first: (u: User, from: number) => nextDaily(u, from - 1, minute),
    step(ctx: Context, t: number) {
      emit(ctx, t)
      return nextDaily(ctx.user, t, minute)
    },
  })
  const phone = (_u: User, d: Device) => d.role === 'phone'
  return [
    daily('resting_heart_rate', 10 * 60, onWatch, (ctx, t) =>
      push(ctx, 'resting_heart_rate', Math.round(ctx.rng.normal(ctx.user.restingHr, 1.5)), t, null),
    ),
    daily('body_weight', 7 * 60 + 40, phone, (ctx, t) => {
      const { day } = localDayMinute(t, ctx.user.zone)
      // Weighed once a week, on the user's own weekday.
      if ((day + ctx.user.index) % 7 === 0)
        push(ctx, 'body_weight', body.bodyWeight(ctx.user, day, ctx.rng), t, null, ctx.user.weightUnit)
    }),
    daily(
      'body_temperature',
      7 * 60 + 50,
      (u, d) => d.role === 'phone' && u.measuresTemperature,
      (ctx, t) =>
        push(ctx, 'body_temperature', body.bodyTemperature(ctx.rng), t, null, ctx.user.temperatureUnit),
    ),
    daily(
      'blood_pressure',
      8 * 60,
      (u, d) => d.role === 'phone' && u.measuresBloodPressure,
      (ctx, t) => {
        const [systolic, diastolic] = body.bloodPressure(ctx.user, ctx.rng)
        push(ctx, 'blood_pressure_systolic', systolic, t, null)
        push(ctx, 'blood_pressure_diastolic', diastolic, t, null)
      },
    ),
  ]
}

/** Where each stream of a device stands: the time of its next sample. */
export type Cursor = Map<Stream, number>

/** Opens the streams of a device at `from`. */
export function openCursor(user: User, device: Device, from: number): Cursor {
  const cursor: Cursor = new Map()
  for (const stream of STREAMS) if (stream.applies(user, device)) cursor.set(stream, stream.first(user, from))
  return cursor
}

/** Appends to `out` the samples the device recorded in [from, to); intervals only when complete. */
export function collect(
  user: User,
  device: Device,
  cursor: Cursor,
  to: number,
  rng: Rng,
  out: Draft[],
): void {
  const ctx: Context = { user, device, rng, out }
  for (const [stream, next] of cursor) {
    let t = next
    while (stream.length === 0 ? t < to : t + stream.length <= to) t = stream.step(ctx, t)
    cursor.set(stream, t)
  }
}
