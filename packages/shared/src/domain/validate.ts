import type { DataTypeSpec, DataTypeTable } from './data-types.ts'
import { ReasonCode } from './reason-codes.ts'
import type { HealthSample, Micros, ValidatedSample } from './records.ts'
import { ValidationFlag } from './records.ts'
import { checkEndNotBeforeStart } from './rules/end-not-before-start.ts'
import { checkFinite } from './rules/finite.ts'
import { checkInRange } from './rules/in-range.ts'
import { checkNonNegative } from './rules/non-negative.ts'
import { checkNotBeforeFloor } from './rules/not-before-floor.ts'
import { checkNotInFuture } from './rules/not-in-future.ts'
import type { Rejection } from './rules/rejection.ts'
import { checkRequiredFields } from './rules/required-fields.ts'
import { checkUnitKnown } from './rules/unit-known.ts'
import { checkValuePresent } from './rules/value-present.ts'
import { MICROS_PER_MINUTE } from './timestamps.ts'

/**
 * The order in which rules run; the first that fails names the reason. Cheap structural checks come
 * first, then the value, then the unit (the range is only meaningful after conversion), then time.
 * UNKNOWN_UNIT and OUT_OF_RANGE are skipped for data types missing from the table.
 */
export const RULE_ORDER: readonly ReasonCode[] = Object.freeze([
  ReasonCode.MISSING_FIELD,
  ReasonCode.MISSING_VALUE,
  ReasonCode.NOT_FINITE,
  ReasonCode.NEGATIVE_VALUE,
  ReasonCode.UNKNOWN_UNIT,
  ReasonCode.OUT_OF_RANGE,
  ReasonCode.END_BEFORE_START,
  ReasonCode.IN_FUTURE,
  ReasonCode.BEFORE_FLOOR,
])

/** Default tolerance for device clocks running ahead: 5 minutes. */
export const DEFAULT_FUTURE_SKEW_MICROS = 5 * MICROS_PER_MINUTE
/** Default earliest accepted start: 2000-01-01T00:00:00Z (before it: unset device clocks). */
export const DEFAULT_FLOOR_MICROS = 946_684_800_000_000

/** Settings of `validateSample`; build with `validationConfig` so they are checked once. */
export interface ValidationConfig {
  readonly dataTypes: DataTypeTable
  /** How far after `now` a sample may end. */
  readonly futureSkewMicros: number
  /** Samples starting before this instant are rejected. */
  readonly floorMicros: Micros
}

/** Options of `validationConfig`; absent numbers take the defaults above. */
export interface ValidationOptions {
  dataTypes: DataTypeTable
  futureSkewMicros?: number
  floorMicros?: Micros
}

/** Checks the options whole and returns a frozen config; throws a RangeError naming the bad bound. */
export function validationConfig(options: ValidationOptions): ValidationConfig {
  const futureSkewMicros = options.futureSkewMicros ?? DEFAULT_FUTURE_SKEW_MICROS
  const floorMicros = options.floorMicros ?? DEFAULT_FLOOR_MICROS
  if (!Number.isSafeInteger(futureSkewMicros) || futureSkewMicros < 0) {
    throw new RangeError(`futureSkewMicros must be an integer >= 0, got ${futureSkewMicros}`)
  }
  if (!Number.isSafeInteger(floorMicros)) {
    throw new RangeError(`floorMicros must be an integer of epoch micros, got ${floorMicros}`)
  }
  return Object.freeze({ dataTypes: options.dataTypes, futureSkewMicros, floorMicros })
}

/** Outcome of `validateSample`: the validated record, or the first rule that failed. */
export type ValidationResult = { ok: true; validated: ValidatedSample } | Rejection

const NO_FLAGS: readonly string[] = Object.freeze([])
const UNKNOWN_TYPE_FLAGS: readonly string[] = Object.freeze([ValidationFlag.UNKNOWN_DATA_TYPE])
const CONVERTED_FLAGS: readonly string[] = Object.freeze([ValidationFlag.UNIT_CONVERTED])

/**
 * Runs the rules in `RULE_ORDER` against one sample. Pure: `nowMicros` is the validator's
 * processing time, also stamped as `validatedAt`. Data types missing from the table are kept,
 * flagged UNKNOWN_DATA_TYPE with `knownType: false`, and only the generic rules apply to them.
 * Duplicates are not detected here: that needs state (see `DedupStore`).
 */
export function validateSample(
  sample: HealthSample,
  config: ValidationConfig,
  nowMicros: Micros,
): ValidationResult {
  const missing = checkRequiredFields(sample) ?? checkValuePresent(sample.value)
  if (missing !== null) return missing
  const value = sample.value as number
  const badValue = checkFinite(value) ?? checkNonNegative(value)
  if (badValue !== null) return badValue
  const spec = config.dataTypes.get(sample.dataType)
  let canonical = value
  if (spec !== undefined) {
    const badUnit = checkUnitKnown(spec, sample.unit)
    if (badUnit !== null) return badUnit
    canonical = spec.conversions.get(sample.unit)!.convert(value)
    const outOfRange = checkInRange(spec, canonical, value, sample.unit)
    if (outOfRange !== null) return outOfRange
  }
  const badTime =
    checkEndNotBeforeStart(sample.startTime, sample.endTime) ??
    checkNotInFuture(sample.startTime, sample.endTime, nowMicros, config.futureSkewMicros) ??
    checkNotBeforeFloor(sample.startTime, config.floorMicros)
  if (badTime !== null) return badTime
  return { ok: true, validated: toValidated(sample, spec, value, canonical, nowMicros) }
}

function flagsFor(spec: DataTypeSpec | undefined, unit: string): readonly string[] {
  if (spec === undefined) return UNKNOWN_TYPE_FLAGS
  return unit === spec.unit ? NO_FLAGS : CONVERTED_FLAGS
}

/** Spelled out field by field (not a spread) so every validated record has the same shape. */
function toValidated(
  s: HealthSample,
  spec: DataTypeSpec | undefined,
  value: number,
  canonical: number,
  nowMicros: Micros,
): ValidatedSample {
  return {
    sampleId: s.sampleId,
    userId: s.userId,
    deviceId: s.deviceId,
    platform: s.platform,
    appVersion: s.appVersion,
    batchId: s.batchId,
    dataType: s.dataType,
    value: canonical,
    unit: spec === undefined ? s.unit : spec.unit,
    startTime: s.startTime,
    startOffsetMinutes: s.startOffsetMinutes,
    endTime: s.endTime,
    endOffsetMinutes: s.endOffsetMinutes,
    sourceApp: s.sourceApp,
    confidence: s.confidence,
    timeZone: s.timeZone,
    metadata: s.metadata,
    batchMetadata: s.batchMetadata,
    uploadedAt: s.uploadedAt,
    sourceTopic: s.sourceTopic,
    sourcePartition: s.sourcePartition,
    sourceOffset: s.sourceOffset,
    sourceIndex: s.sourceIndex,
    writerSchemaId: s.writerSchemaId,
    ingestedAt: s.ingestedAt,
    originalValue: value,
    originalUnit: s.unit,
    knownType: spec !== undefined,
    flags: flagsFor(spec, s.unit),
    validatedAt: nowMicros,
    extras: s.extras,
  }
}
