/** One real server of the local stack. Each lives in its own file under servers/. */
export interface StackServer {
  /** Short name used for logs, pid files and the command line. */
  readonly name: string
  /**
   * 'tool': something `up` installs but never runs (no process, pid file or ports; `prepare` is
   * not called, `down` leaves it alone, `ready` says whether it is installed). Default 'process'.
   */
  readonly kind?: 'process' | 'tool'
  /** TCP ports it listens on (all on 127.0.0.1); `up` refuses to start when one is taken. */
  readonly ports: readonly number[]
  /** Downloads or builds what is missing into the cache; fast when already there. */
  install(): Promise<void>
  /** Prepares data directories and config files, then returns the command to run in the background. */
  prepare(): Promise<LaunchSpec>
  /** Resolves when the server answers like a healthy one; throws a message saying what is wrong. */
  ready(): Promise<void>
  /** Runs once after the first successful readiness (create the bucket, ...). Idempotent. */
  afterStart?(): Promise<void>
  /** Endpoints as KEY=value pairs for services and tests. */
  env(): Record<string, string>
}

export interface LaunchSpec {
  readonly command: string
  readonly args: readonly string[]
  readonly env?: Record<string, string>
  readonly cwd?: string
}

/** Fixed loopback ports, chosen away from the usual defaults so a developer's own servers do not clash. */
// STACK_PORT_OFFSET shifts every port, so a second stack (a CI dry run beside a developer's) can run.
const OFFSET = Number(process.env.STACK_PORT_OFFSET ?? 0)

export const PORTS = {
  kafka: 19092 + OFFSET,
  kafkaController: 19093 + OFFSET,
  /** Kafka's SASL_SSL listener (SCRAM-SHA-512/256, PLAIN; ACLs apply). */
  kafkaSaslSsl: 19094 + OFFSET,
  registry: 18080 + OFFSET,
  redis: 16379 + OFFSET,
  /** Redis's TLS port (the stack's server certificate; client certificates optional). */
  redisTls: 16380 + OFFSET,
  s3: 17070 + OFFSET,
  icebergRest: 18181 + OFFSET,
  postgres: 15432 + OFFSET,
  /** Jaeger: OTLP/HTTP receiver, query API (HTTP) and query gRPC (bound too, so it must be ours). */
  jaegerOtlp: 14318 + OFFSET,
  jaegerQuery: 14686 + OFFSET,
  jaegerQueryGrpc: 14685 + OFFSET,
} as const

export const HOST = '127.0.0.1'
