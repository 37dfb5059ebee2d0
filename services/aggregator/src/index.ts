/**
 * @healthstream/aggregator: the aggregator as a library, for the tools that drive it (the benchmarks).
 * main.ts is the service's composition root; test doubles are under `@healthstream/aggregator/testing`.
 */
export { Aggregator } from './pipeline.ts'
export { aggregateStoreAccess } from './state/redis-access.ts'
export { RedisAggregateStore, type RedisAggregateStoreOptions } from './state/redis-store.ts'
export type { AggregatorDeps, AggregatorStatus, BatchInfo } from './types.ts'
export { type AggregationOptions, type AggregationSpec, aggregationSpec } from './windows/spec.ts'
export { type AggregateStore, AggregateStoreError, type AggregateStoreErrorCode } from './windows/store.ts'
