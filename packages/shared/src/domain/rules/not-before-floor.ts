import { ReasonCode } from '../reason-codes.ts'
import { describeMicros, type Rejection, reject } from './rejection.ts'

/**
 * BEFORE_FLOOR when the sample starts before `floorMicros`: such dates come from unset device
 * clocks (1970-01-01) rather than from real measurements. Exactly the floor passes.
 */
export function checkNotBeforeFloor(startTime: number, floorMicros: number): Rejection | null {
  if (startTime >= floorMicros) return null
  return reject(
    ReasonCode.BEFORE_FLOOR,
    `startTime ${describeMicros(startTime)} is before the floor ${describeMicros(floorMicros)}`,
  )
}
