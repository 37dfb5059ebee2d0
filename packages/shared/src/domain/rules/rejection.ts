import type { ReasonCode } from '../reason-codes.ts'
import { formatIsoTimestamp } from '../timestamps.ts'

/** Why a sample is invalid: the failure branch of every rule and of `validateSample`. */
export interface Rejection {
  readonly ok: false
  readonly reason: ReasonCode
  readonly message: string
}

/** Builds a rejection; only called on failure, so the hot (valid) path allocates nothing. */
export function reject(reason: ReasonCode, message: string): Rejection {
  return { ok: false, reason, message }
}

/** An instant for a message: ISO 8601 UTC when representable, else the raw number. */
export function describeMicros(micros: number): string {
  try {
    return formatIsoTimestamp(micros)
  } catch {
    return String(micros)
  }
}
