import { ReasonCode } from '../reason-codes.ts'
import { describeMicros, type Rejection, reject } from './rejection.ts'

/**
 * IN_FUTURE when the sample's latest instant (its end, else its start) is more than `skewMicros`
 * after `nowMicros`. The skew absorbs phone clocks that run a little ahead; a measurement cannot
 * end later than that. Exactly now + skew passes.
 */
export function checkNotInFuture(
  startTime: number,
  endTime: number | null,
  nowMicros: number,
  skewMicros: number,
): Rejection | null {
  const latest = endTime !== null && endTime > startTime ? endTime : startTime
  if (latest <= nowMicros + skewMicros) return null
  const field = latest === startTime ? 'startTime' : 'endTime'
  return reject(
    ReasonCode.IN_FUTURE,
    `${field} ${describeMicros(latest)} is more than ${skewMicros / 1e6} s after now (${describeMicros(nowMicros)})`,
  )
}
