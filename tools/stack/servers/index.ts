import type { StackServer } from '../server.ts'
import { icebergRest } from './iceberg-rest.ts'
import { jaeger } from './jaeger.ts'
import { kafka } from './kafka.ts'
import { postgresServer } from './postgres.ts'
import { pythonReaders } from './python.ts'
import { redis } from './redis.ts'
import { registry } from './registry.ts'
import { runtimes } from './runtimes.ts'
import { s3 } from './s3.ts'
import { spark } from './spark.ts'

/**
 * Start order: Kafka first (the registry and services need it least, but tests need it most);
 * the tools (Python lake readers, Spark, Bun and Deno; nothing to run) last.
 */
export const allServers: readonly StackServer[] = [
  kafka,
  registry,
  redis,
  postgresServer,
  s3,
  icebergRest,
  jaeger,
  pythonReaders,
  spark,
  runtimes,
]
