import { ReasonCode } from '../reason-codes.ts'
import type { HealthSample } from '../records.ts'
import { type Rejection, reject } from './rejection.ts'

/** The fields this rule reads. */
export type RequiredFields = Pick<HealthSample, 'sampleId' | 'userId' | 'dataType' | 'unit' | 'startTime'>

const REQUIRED_STRINGS = ['sampleId', 'userId', 'dataType', 'unit'] as const

function isBlank(value: unknown): boolean {
  return typeof value !== 'string' || value.trim().length === 0
}

/**
 * MISSING_FIELD when sampleId, userId, dataType or unit is absent, empty or only whitespace, or
 * startTime is not an integer number of micros. Avro makes these fields non-null, so in practice
 * this catches empty strings sent by a device.
 */
export function checkRequiredFields(sample: RequiredFields): Rejection | null {
  for (const field of REQUIRED_STRINGS) {
    if (isBlank(sample[field])) return reject(ReasonCode.MISSING_FIELD, `${field} is missing or blank`)
  }
  if (!Number.isSafeInteger(sample.startTime)) {
    return reject(ReasonCode.MISSING_FIELD, 'startTime is missing or not an integer of epoch micros')
  }
  return null
}
