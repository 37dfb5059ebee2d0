import { ReasonCode } from '../reason-codes.ts'
import { type Rejection, reject } from './rejection.ts'

/** MISSING_VALUE when the sample carries no value (the Avro union's null branch). */
export function checkValuePresent(value: number | null | undefined): Rejection | null {
  return value === null || value === undefined ? reject(ReasonCode.MISSING_VALUE, 'value is null') : null
}
