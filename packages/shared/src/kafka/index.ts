export type { BackoffOptions } from './backoff.ts'
export { backoffDelay, sleep } from './backoff.ts'
export { nextOffsets } from './batch.ts'
export { isKafkaLoopError, KafkaErrorCode, KafkaLoopError, transformError } from './errors.ts'
export { BATCH_INFLATE_LIMIT, BatchInflateLimitError } from './inflate.ts'
export { DEFAULT_MAX_INFLATED_BYTES, inflatedBatchLimit, limitInflatedBatches } from './inflate-guard.ts'
export type { LogEdge, LogOffsetsPort, PartitionLag } from './lag.ts'
export { ConsumerLag, lagOf } from './lag.ts'
export type { TransactionalLoopOptions, Transform, TransformContext } from './loop-options.ts'
export { DEFAULT_FETCH_MAX_BYTES } from './loop-options.ts'
export type { LoopEvent, LoopState, LoopStats } from './loop-stats.ts'
export { isLoopReady } from './loop-stats.ts'
export { Notifier } from './notifier.ts'
export { keyPartitioner, murmur2 } from './partitioner.ts'
export type {
  GroupConsumerConfig,
  KafkaConnectionConfig,
  TopicSpec,
  TransactionalConfig,
  TransactionalPorts,
} from './platformatic.ts'
export {
  createAdmin,
  createConsumer,
  createGroupConsumer,
  createTransactionalPorts,
  createTransactionalProducer,
  ensureTopics,
} from './platformatic.ts'
export type { GroupSettings, GroupTiming } from './platformatic-consumer.ts'
export { groupSettings, PlatformaticConsumer } from './platformatic-consumer.ts'
export { CERTIFICATE_FAILURES, classifyKafkaError } from './platformatic-errors.ts'
export { PlatformaticProducer } from './platformatic-producer.ts'
export type {
  ConsumedRecord,
  ConsumerPort,
  FetchOptions,
  FetchResult,
  GroupSession,
  OutputRecord,
  PartitionOffset,
  RecordHeaders,
  TopicPartition,
  TransactionalProducerPort,
  TransactionPort,
  UnreadableBatch,
} from './ports.ts'
export { partitionKey } from './ports.ts'
export { decodeCommitted } from './read-committed.ts'
export { readCommittedTopic } from './read-topic.ts'
export { sealBatch, varintBytes, writeBatchHeader, writeVarint, zigzag } from './record-batch.ts'
export { TransactionalLoop } from './transactional-loop.ts'
export type { WatermarkMark } from './watermark-mark.ts'
export { readWatermarkMark, WATERMARK_HEADER, watermarkMarkRecord } from './watermark-mark.ts'
