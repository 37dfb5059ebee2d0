import { ReasonCode } from '../reason-codes.ts'
import { type Rejection, reject } from './rejection.ts'

/**
 * NEGATIVE_VALUE when the value as sent is below zero. No health measure we carry is negative,
 * whatever its type, so this applies to unknown types too. -0 passes.
 */
export function checkNonNegative(value: number): Rejection | null {
  return value < 0 ? reject(ReasonCode.NEGATIVE_VALUE, `value ${value} is negative`) : null
}
