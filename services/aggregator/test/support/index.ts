/**
 * @healthstream/aggregator/testing: the aggregator's test support, for the benchmarks (never for
 * production code): a harness on in-memory ports, the in-memory store, scenarios and samples.
 */
export { aggregatorDeps, type HarnessOptions, type Serdes, serdes, session } from './harness.ts'
export { InMemoryAggregateStore } from './memory-store.ts'
export { validatedSample } from './samples.ts'
export { prng } from './scenario.ts'
