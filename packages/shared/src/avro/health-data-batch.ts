import { readFileSync } from 'node:fs'
import type { RawBatch, RawSample } from '../domain/records.ts'

/**
 * The upstream `HealthDataBatch` contract (topic `health-data-raw`) as schemas and TypeScript types.
 * The schema files in `shared/contracts/` are the source of truth; they are read, not copied.
 */

function contract(file: string): object {
  return JSON.parse(readFileSync(new URL(`../../contracts/${file}`, import.meta.url), 'utf8')) as object
}

/** `HealthDataBatch` v1 (no time zone, no confidence). */
export const healthDataBatchV1: object = contract('health-data-batch.v1.avsc')
/** `HealthDataBatch` v2: adds `timeZone` and per-sample `confidence`, both optional. */
export const healthDataBatchV2: object = contract('health-data-batch.v2.avsc')

/** The devices' platforms; a newer writer may add symbols, which a reader sees as `OTHER`. */
export type Platform = 'IOS' | 'ANDROID' | 'WEAR_OS' | 'WATCH_OS' | 'OTHER'

/** One sample as read with the v2 schema (v1 data reads with `confidence: null`): the domain's `RawSample`. */
export type HealthSample = RawSample

/** One upload as read with the v2 schema: the domain's `RawBatch` with the platform symbols the contract knows. */
export interface HealthDataBatch extends Omit<RawBatch, 'platform' | 'samples'> {
  platform: Platform
  samples: HealthSample[]
}
