import type { DataTypeSpec } from '../data-types.ts'
import { ReasonCode } from '../reason-codes.ts'
import { type Rejection, reject } from './rejection.ts'

/**
 * OUT_OF_RANGE when the value, already in the canonical unit, lies outside the type's plausible
 * range [min, max] (inclusive). `originalValue`/`originalUnit` only enrich the message.
 */
export function checkInRange(
  spec: DataTypeSpec,
  canonicalValue: number,
  originalValue: number = canonicalValue,
  originalUnit: string = spec.unit,
): Rejection | null {
  if (canonicalValue >= spec.min && canonicalValue <= spec.max) return null
  const sent = originalUnit === spec.unit ? '' : ` (sent as ${originalValue} ${originalUnit})`
  return reject(
    ReasonCode.OUT_OF_RANGE,
    `${spec.dataType} ${canonicalValue} ${spec.unit}${sent} is outside [${spec.min}, ${spec.max}] ${spec.unit}`,
  )
}
