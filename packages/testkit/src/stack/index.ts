/** @healthstream/testkit/stack: the local stack as tests see it. Public names, exported explicitly. */
export { committedOffsets, type DrainTimeouts, nextOffsets, waitForLake } from './drain.ts'
export { endpoint, uniqueName } from './endpoints.ts'
export { type GroupTopic, groupTopicKey, OffsetsProbe } from './kafka-offsets.ts'
export { projectRoot } from './paths.ts'
export {
  expectedOutcomes,
  multiplicity,
  readErrors,
  readTruth,
  readValidated,
  sampleKey,
  simulateInto,
  simulateWithStats,
  type TestPipeline,
  type TruthLine,
  testPipeline,
} from './pipeline.ts'
export { freePort } from './ports.ts'
export { produceRaw } from './produce.ts'
export { nodeOfKeys, type RedisClusterHandle, startRedisCluster } from './redis-cluster.ts'
export { eventually, ServiceProcess, TEST_ADMIN_TOKEN } from './services.ts'
