/**
 * @healthstream/testkit/memory: the ports in memory, for fast tests of the pure core and the
 * services' transforms (never for production code). Public names, exported explicitly.
 */
export { InMemoryDedupStore } from './dedup-store.ts'
export { type FaultPoint, Faults, MemoryBroker, MemoryConsumer, MemoryProducer } from './kafka.ts'
export { MemoryObjectStore } from './object-store.ts'
export { MemorySchemaRegistry } from './schema-registry.ts'
