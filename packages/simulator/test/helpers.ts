import type { GeneratedBatch } from '../src/batch.ts'
import { Generator, type GeneratorOptions } from '../src/generator.ts'

/** 2026-11-20T00:00:00Z: a fixed start, so tests never depend on the clock. */
export const START = Date.parse('2026-11-20T00:00:00Z')

/** ISO 8601 with an offset, as ingest accepts it. */
export const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?(Z|[+-]\d{2}:\d{2})$/

export function options(overrides: Partial<GeneratorOptions> = {}): GeneratorOptions {
  return {
    seed: 42,
    users: 20,
    start: START,
    v2Share: 0.5,
    invalidShare: 0.02,
    duplicateShare: 0.01,
    lateShare: 0.01,
    outOfOrderShare: 0.05,
    samples: 20_000,
    ...overrides,
  }
}

/** Every batch a generator emits until it ends. */
export function generateAll(overrides: Partial<GeneratorOptions> = {}): GeneratedBatch[] {
  const generator = new Generator(options(overrides))
  const batches: GeneratedBatch[] = []
  for (let b = generator.next(); b; b = generator.next()) batches.push(b)
  return batches
}
