/** @healthstream/testkit/stack: the local stack as tests see it. Public names, exported explicitly. */

export { CHAIN_PARTITIONS, type ChainServices, chainServices, type WindowSettings } from './chain.ts'
export { committedOffsets, type DrainTimeouts, nextOffsets, waitForLake } from './drain.ts'
export { endpoint, uniqueName } from './endpoints.ts'
export { type JaegerReference, type JaegerSpan, jaegerOtlpUrl, jaegerSpans, waitForSpans } from './jaeger.ts'
export { type GroupTopic, groupTopicKey, OffsetsProbe } from './kafka-offsets.ts'
export { saslSslConnection, saslSslEnv, stackPassword, stackPasswordFile } from './kafka-sasl.ts'
export { SERVICE_NODE_FLAGS } from './node-flags.ts'
export { projectRoot } from './paths.ts'
export {
  expectedOutcomes,
  multiplicity,
  readErrors,
  readSamples,
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
export { type BombCodec, type CraftedBatch, produceBatch, zeroBombBatch } from './produce-batch.ts'
export {
  type RedisEnvOptions,
  redisEnv,
  redisPassword,
  redisPasswordFile,
  redisUserOf,
  stackRedisTls,
} from './redis-auth.ts'
export {
  nodeOfKeys,
  type RedisClusterHandle,
  type RedisClusterOptions,
  type RedisClusterTls,
  startRedisCluster,
} from './redis-cluster.ts'
export { eventually, ServiceProcess, TEST_ADMIN_TOKEN } from './services.ts'
