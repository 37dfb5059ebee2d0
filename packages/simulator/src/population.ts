import type { Platform } from '@healthstream/shared/avro'
import type { TimeStyle } from './clock.ts'
import { Rng } from './prng.ts'

/** Where users live; the mix includes half-hour and 45-minute offsets and both hemispheres' DST. */
const ZONES: readonly { zone: string; imperial: boolean; glucoseMmol: boolean }[] = [
  { zone: 'Europe/Berlin', imperial: false, glucoseMmol: false },
  { zone: 'Europe/London', imperial: false, glucoseMmol: true },
  { zone: 'America/New_York', imperial: true, glucoseMmol: false },
  { zone: 'America/Los_Angeles', imperial: true, glucoseMmol: false },
  { zone: 'America/St_Johns', imperial: false, glucoseMmol: true },
  { zone: 'America/Sao_Paulo', imperial: false, glucoseMmol: false },
  { zone: 'Asia/Tokyo', imperial: false, glucoseMmol: false },
  { zone: 'Asia/Kolkata', imperial: false, glucoseMmol: false },
  { zone: 'Asia/Kathmandu', imperial: false, glucoseMmol: false },
  { zone: 'Australia/Sydney', imperial: false, glucoseMmol: true },
  { zone: 'Pacific/Auckland', imperial: false, glucoseMmol: true },
  { zone: 'Africa/Lagos', imperial: false, glucoseMmol: false },
  { zone: 'UTC', imperial: false, glucoseMmol: false },
]

/** What a device records; a phone alone also counts steps. */
export type DeviceRole = 'watch' | 'phone'

/** One device of a user. Its app version decides the writer schema (v1 or v2). */
export interface Device {
  readonly deviceId: string
  readonly role: DeviceRole
  readonly platform: Platform
  readonly appVersion: string
  readonly schemaVersion: 1 | 2
  readonly timeStyle: TimeStyle
  /** Minutes between uploads. */
  readonly uploadEvery: number
}

/** A simulated person: physiology and habits that shape the rhythms. */
export interface User {
  readonly userId: string
  readonly index: number
  /** Seed for the user's stateless facts (day plans, activity slots). */
  readonly seed: number
  readonly zone: string
  readonly devices: readonly Device[]
  readonly restingHr: number
  readonly maxHr: number
  readonly weightKg: number
  /** Minutes after local midnight when the user usually goes to bed (may exceed 1440). */
  readonly bedtime: number
  readonly sleepMinutes: number
  readonly activity: number
  readonly diabetic: boolean
  readonly glucose: 'cgm' | 'fingerstick' | 'none'
  readonly measuresBloodPressure: boolean
  readonly measuresTemperature: boolean
  readonly weightUnit: 'kg' | 'lb'
  readonly temperatureUnit: 'degC' | 'degF'
  readonly glucoseUnit: 'mg/dL' | 'mmol/L'
}

/**
 * Builds `count` users from the seed; user i is the same for any `count` > i. With `zones`, user i
 * lives in `zones[i % zones.length]` (round-robin; units as usual there for the zones above, else as
 * drawn) and everything else stays as the seed makes it.
 */
export function createUsers(count: number, seed: number, v2Share: number, zones?: readonly string[]): User[] {
  return Array.from({ length: count }, (_, index) => createUser(index, seed, v2Share, zones))
}

function createUser(index: number, seed: number, v2Share: number, zones?: readonly string[]): User {
  const rng = new Rng(seed, 1_000_003 + index)
  // Drawn even when the zone is given, so the rest of the user is the same as without `zones`
  const drawn = rng.pick(ZONES)
  const given = zones && zones.length > 0 ? zones[index % zones.length]! : undefined
  const home =
    given === undefined ? drawn : (ZONES.find((z) => z.zone === given) ?? { ...drawn, zone: given })
  const hasWatch = rng.chance(0.7)
  const ios = rng.chance(0.55)
  const devices: Device[] = [device(rng, 'phone', ios, v2Share)]
  if (hasWatch) devices.push(device(rng, 'watch', ios, v2Share))
  const diabetic = rng.chance(0.12)
  const age = rng.int(18, 85)
  return {
    userId: `user-${String(index + 1).padStart(6, '0')}`,
    index,
    seed: rng.uint32(),
    zone: home.zone,
    devices,
    restingHr: Math.round(rng.between(52, 78)),
    maxHr: 208 - Math.round(0.7 * age),
    weightKg: Math.round(rng.between(48, 125) * 10) / 10,
    bedtime: Math.round(rng.between(21.75 * 60, 24.75 * 60)),
    sleepMinutes: Math.round(rng.between(6 * 60, 8.75 * 60)),
    activity: rng.between(0.3, 1),
    diabetic,
    glucose: diabetic ? rng.pick(['cgm', 'cgm', 'fingerstick'] as const) : rng.chance(0.04) ? 'cgm' : 'none',
    measuresBloodPressure: rng.chance(0.3),
    measuresTemperature: rng.chance(0.15),
    weightUnit: home.imperial ? 'lb' : 'kg',
    temperatureUnit: home.imperial ? 'degF' : 'degC',
    glucoseUnit: home.glucoseMmol ? 'mmol/L' : 'mg/dL',
  }
}

function device(rng: Rng, role: DeviceRole, ios: boolean, v2Share: number): Device {
  const schemaVersion = rng.chance(v2Share) ? 2 : 1
  const platform: Platform =
    role === 'phone' ? (ios ? 'IOS' : 'ANDROID') : ios ? 'WATCH_OS' : rng.chance(0.9) ? 'WEAR_OS' : 'OTHER'
  // App 5.x ships the v2 schema; 4.x still writes v1.
  const appVersion = `${schemaVersion === 2 ? 5 : 4}.${rng.int(0, 9)}.${rng.int(0, 20)}`
  return {
    deviceId: rng.uuid(),
    role,
    platform,
    appVersion,
    schemaVersion,
    timeStyle: { millis: ios || rng.chance(0.5), utcAsZ: rng.chance(0.5) },
    uploadEvery: role === 'watch' ? rng.int(90, 240) : rng.int(180, 480),
  }
}
