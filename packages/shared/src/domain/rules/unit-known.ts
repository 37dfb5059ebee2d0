import type { DataTypeSpec } from '../data-types.ts'
import { ReasonCode } from '../reason-codes.ts'
import { type Rejection, reject } from './rejection.ts'

/**
 * UNKNOWN_UNIT when a known data type arrives in a unit that is neither its canonical unit nor one
 * with a conversion to it. Units are compared exactly (UCUM is case-sensitive: mg/dl is not mg/dL).
 */
export function checkUnitKnown(spec: DataTypeSpec, unit: string): Rejection | null {
  if (spec.conversions.has(unit)) return null
  const accepted = [...spec.conversions.keys()].join(', ')
  return reject(
    ReasonCode.UNKNOWN_UNIT,
    `unit ${JSON.stringify(unit)} is not accepted for ${spec.dataType} (accepted: ${accepted})`,
  )
}
