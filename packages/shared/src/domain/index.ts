// The pure domain of Healthstream: records, civil dates and time parsing, flattening, validation rules.
// No Kafka, Redis or HTTP in here; the services wire these functions to their ports.

export { type CivilDate, civilFromDays, daysFromCivil } from './civil-date.ts'
export type { DataTypeKind, DataTypeSpec, DataTypeTable, UnitConversion } from './data-types.ts'
export { parseDataTypesCsv, UNIT_CONVERSIONS } from './data-types.ts'
export { BUILTIN_DATA_TYPES_PATH, builtinDataTypes } from './data-types-file.ts'
export type { DedupStore } from './dedup.ts'
export { dedupKey, dedupOwner } from './dedup.ts'
export type { ErrorInput, SampleCoordinates } from './errors.ts'
export {
  errorId,
  errorRecord,
  jsonPayload,
  quoteForMessage,
  type ReplayOrigin,
  sampleErrorRecord,
} from './errors.ts'
export {
  EXTRA_TYPES,
  type ExtraField,
  type Extras,
  type ExtrasPlan,
  type ExtraType,
  type ExtraValue,
  extrasPlan,
  extraTypeOf,
  hasExtras,
  parseExtras,
  sampleExtras,
} from './extras.ts'
export type { FlattenResult } from './flatten.ts'
export { flattenBatch } from './flatten.ts'
export { ReasonCode, type Stage } from './reason-codes.ts'
export type {
  AggregateRecord,
  ErrorRecord,
  HealthSample,
  Micros,
  PayloadFormat,
  RawBatch,
  RawSample,
  SourceRecord,
  ValidatedSample,
} from './records.ts'
export { ValidationFlag } from './records.ts'
export { checkEndNotBeforeStart } from './rules/end-not-before-start.ts'
export { checkFinite } from './rules/finite.ts'
export { checkInRange } from './rules/in-range.ts'
export { checkNonNegative } from './rules/non-negative.ts'
export { checkNotBeforeFloor } from './rules/not-before-floor.ts'
export { checkNotInFuture } from './rules/not-in-future.ts'
export type { Rejection } from './rules/rejection.ts'
export { checkRequiredFields, type RequiredFields } from './rules/required-fields.ts'
export { checkUnitKnown } from './rules/unit-known.ts'
export { checkValuePresent } from './rules/value-present.ts'
export type { ParsedTimestamp } from './timestamps.ts'
export {
  formatIsoTimestamp,
  MICROS_PER_DAY,
  MICROS_PER_MINUTE,
  MICROS_PER_SECOND,
  parseIsoTimestamp,
} from './timestamps.ts'
export { type UnreadBatch, unreadableBatchError } from './unreadable-batch.ts'
export type { ValidationConfig, ValidationOptions, ValidationResult } from './validate.ts'
export {
  DEFAULT_FLOOR_MICROS,
  DEFAULT_FUTURE_SKEW_MICROS,
  RULE_ORDER,
  validateSample,
  validationConfig,
} from './validate.ts'
