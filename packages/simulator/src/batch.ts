import type { HealthDataBatch, HealthSample } from '@healthstream/shared/avro'
import { formatLocal } from './clock.ts'
import type { Device, User } from './population.ts'
import type { Draft } from './streams.ts'
import type { TruthEntry } from './truth.ts'

/** A sample with its identity and its delivery story, ready to be framed. */
export interface Planned {
  readonly draft: Draft
  readonly sampleId: string
  late: boolean
  outOfOrder: boolean
}

/** One upload as it goes on the wire, with the truth about each of its samples. */
export interface GeneratedBatch {
  readonly batch: HealthDataBatch
  readonly schemaVersion: 1 | 2
  readonly truth: readonly TruthEntry[]
  /** A re-send of a batch already sent (same batchId, same samples). */
  readonly duplicate: boolean
}

const EMPTY: Record<string, string> = Object.freeze({}) as Record<string, string>
const SDK: Record<string, Record<string, string>> = {
  IOS: { sdk: 'HealthKit' },
  WATCH_OS: { sdk: 'HealthKit' },
  ANDROID: { sdk: 'HealthConnect' },
  WEAR_OS: { sdk: 'HealthConnect' },
}

/** Frames planned samples into a batch; truth entries are derived from the same sample objects. */
export function buildBatch(
  user: User,
  device: Device,
  planned: readonly Planned[],
  batchId: string,
  uploadedAtMs: number,
): GeneratedBatch {
  const v2 = device.schemaVersion === 2
  const samples: HealthSample[] = new Array(planned.length)
  const truth: TruthEntry[] = new Array(planned.length)
  for (let i = 0; i < planned.length; i++) {
    const p = planned[i]!
    samples[i] = toSample(p, user, device, v2)
    truth[i] = toTruth(p, user, batchId, device.schemaVersion)
  }
  const batch: HealthDataBatch = {
    batchId,
    userId: user.userId,
    deviceId: device.deviceId,
    platform: device.platform,
    appVersion: device.appVersion,
    uploadedAt: formatLocal(uploadedAtMs, user.zone, device.timeStyle),
    samples,
    metadata: SDK[device.platform] ?? EMPTY,
  }
  if (v2) batch.timeZone = user.zone
  return { batch, schemaVersion: device.schemaVersion, truth, duplicate: false }
}

function toSample(p: Planned, user: User, device: Device, v2: boolean): HealthSample {
  const d = p.draft
  const sample: HealthSample = {
    sampleId: p.sampleId,
    dataType: d.dataType,
    value: d.value,
    unit: d.unit,
    startTime: d.startText ?? formatLocal(d.start, user.zone, device.timeStyle),
    endTime: d.end === null ? null : formatLocal(d.end, user.zone, device.timeStyle),
    sourceApp: d.sourceApp,
    metadata: EMPTY,
  }
  if (v2) sample.confidence = d.confidence
  return sample
}

function toTruth(p: Planned, user: User, batchId: string, schemaVersion: 1 | 2): TruthEntry {
  const d = p.draft
  const common = {
    userId: user.userId,
    sampleId: p.sampleId,
    batchId,
    dataType: d.dataType,
    outcome: d.reason ?? ('valid' as const),
  }
  const flags = {
    duplicate: false,
    late: p.late,
    outOfOrder: p.outOfOrder,
    schemaVersion,
    ...(schemaVersion === 2 ? { timeZone: user.zone } : {}),
  }
  if (d.reason !== undefined) return { ...common, ...flags }
  const endMicros = d.end === null ? null : d.end * 1000
  return { ...common, value: d.canonical, startMicros: d.start * 1000, endMicros, ...flags }
}

/** The same batch sent again, with truth entries marked as duplicates. */
export function resend(original: GeneratedBatch): GeneratedBatch {
  return { ...original, truth: original.truth.map((t) => ({ ...t, duplicate: true })), duplicate: true }
}
