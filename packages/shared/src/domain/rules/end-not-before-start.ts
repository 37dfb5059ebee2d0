import { ReasonCode } from '../reason-codes.ts'
import { describeMicros, type Rejection, reject } from './rejection.ts'

/** END_BEFORE_START when an end time is given and lies before the start. end = start is fine. */
export function checkEndNotBeforeStart(startTime: number, endTime: number | null): Rejection | null {
  if (endTime === null || endTime >= startTime) return null
  return reject(
    ReasonCode.END_BEFORE_START,
    `endTime ${describeMicros(endTime)} is before startTime ${describeMicros(startTime)}`,
  )
}
