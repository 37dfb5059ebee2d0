import { ReasonCode } from '../reason-codes.ts'
import { type Rejection, reject } from './rejection.ts'

/** NOT_FINITE for NaN and ±Infinity (an Avro double can carry them) and for non-numbers. */
export function checkFinite(value: number): Rejection | null {
  return Number.isFinite(value)
    ? null
    : reject(ReasonCode.NOT_FINITE, `value ${String(value)} is not a finite number`)
}
