import type { AggregationSample } from '../../../src/domain/index.ts'

/** Epoch micros of an ISO instant. */
export const us = (iso: string): number => Date.parse(iso) * 1000

/** ISO instant of epoch micros (for readable assertion messages). */
export const iso = (micros: number): string => new Date(micros / 1000).toISOString()

export const HOUR = 3_600_000_000
export const MINUTE = 60_000_000

let counter = 0

/** A sample for the aggregation, with defaults a test can override. */
export function sample(overrides: Partial<AggregationSample> = {}): AggregationSample {
  counter++
  return {
    userId: 'u-1',
    dataType: 'heart_rate',
    unit: 'count/min',
    value: 60,
    startTime: us('2026-03-10T12:00:00Z'),
    sampleId: `s-${String(counter).padStart(6, '0')}`,
    timeZone: null,
    ...overrides,
  }
}
