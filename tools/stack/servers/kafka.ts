/**
 * Apache Kafka in KRaft mode, one node acting as broker and controller, from the Maven Central
 * jars (no distribution tarball there). kafka-tools is on the classpath so benchmarks can run
 * ProducerPerformance / ConsumerPerformance with `java -cp "$KAFKA_LIBS/*"`. Beside PLAINTEXT, a
 * SASL_SSL listener with ACLs (`../kafka-sasl.ts`, `../kafka-acls.ts`).
 */
import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Admin } from '@platformatic/kafka'
import { createGrants, pipelineGrants } from '../kafka-acls.ts'
import {
  ADMIN_PRINCIPAL,
  saslDir,
  saslSslProperties,
  stackPasswords,
  upsertScramCredentials,
} from '../kafka-sasl.ts'
import { findJava, mavenCacheDir, mavenClasspath } from '../maven.ts'
import { serverDir } from '../paths.ts'
import { HOST, PORTS, type StackServer } from '../server.ts'
import { stackTls, tlsDir } from '../tls.ts'
import { run } from '../tools.ts'

const VERSION = '4.1.1'
/** The log4j2 release Kafka 4.1 ships; its POMs leave the slf4j (1.7) binding to the application. */
const LOG4J = '2.24.3'
const LIBS_KEY = `kafka-${VERSION}`
const NODE_ID = 1

const dir = serverDir('kafka')
const dataDir = join(dir, 'data')
const configFile = join(dir, 'server.properties')
const log4jFile = join(dir, 'log4j2.properties')
const libs = (): string => mavenCacheDir(LIBS_KEY)
const classpath = (): string => `${libs()}/*`
const brokers = `${HOST}:${PORTS.kafka}`
const saslSslBrokers = `${HOST}:${PORTS.kafkaSaslSsl}`

function serverProperties(security: string): string {
  const controller = `${HOST}:${PORTS.kafkaController}`
  return `# Written by tools/stack/servers/kafka.ts on every start; edit there.
process.roles=broker,controller
node.id=${NODE_ID}
controller.quorum.bootstrap.servers=${controller}
listeners=PLAINTEXT://${brokers},CONTROLLER://${controller},SASL_SSL://${saslSslBrokers}
advertised.listeners=PLAINTEXT://${brokers},CONTROLLER://${controller},SASL_SSL://${saslSslBrokers}
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL
${security}
log.dirs=${dataDir}

# Two cores on the dev machines: fewer threads than the server defaults.
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
num.partitions=4
auto.create.topics.enable=true

# One node: every internal topic with replication 1, or transactions and groups never start.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=8
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=8
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
min.insync.replicas=1
default.replication.factor=1
group.initial.rebalance.delay.ms=0

# Local data: keep a day, in modest segments, so .stack does not grow without bound.
log.retention.hours=24
log.segment.bytes=268435456
`
}

/**
 * WARN by default (a KRaft start alone logs ~170 INFO lines); INFO only for the server lifecycle
 * and the group and transaction coordinators, which explain what exactly-once clients see.
 */
const LOG4J_CONFIG = `status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c{1})%n
rootLogger.level = WARN
rootLogger.appenderRef.console.ref = STDOUT
logger.raftserver.name = kafka.server.KafkaRaftServer
logger.raftserver.level = INFO
logger.broker.name = kafka.server.BrokerServer
logger.broker.level = INFO
logger.groups.name = org.apache.kafka.coordinator.group
logger.groups.level = INFO
logger.transactions.name = kafka.coordinator.transaction
logger.transactions.level = INFO
`

function java(): string {
  return findJava(17) // Kafka 4 brokers need Java 17
}

function jvmOptions(): string[] {
  return [
    '-Xms256m',
    '-Xmx1g',
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${log4jFile}`,
    `-Dkafka.logs.dir=${dir}`,
  ]
}

/**
 * Kafka's cluster ids are 16 random bytes in unpadded base64url (what `kafka-storage random-uuid` prints).
 * Like Kafka's own `Uuid.randomUuid`, draw again when the id starts with `-`: the storage tool's argument
 * parser takes such a value for an option and refuses to format (1 start in 64 failed that way).
 */
export function newClusterId(random: (size: number) => Buffer = randomBytes): string {
  for (;;) {
    const id = random(16).toString('base64url')
    if (!id.startsWith('-')) return id
  }
}

export const kafka: StackServer = {
  name: 'kafka',
  ports: [PORTS.kafka, PORTS.kafkaController, PORTS.kafkaSaslSsl],

  async install() {
    java()
    mavenClasspath(LIBS_KEY, [
      `org.apache.kafka:kafka_2.13:${VERSION}`,
      `org.apache.kafka:kafka-tools:${VERSION}`,
      `org.apache.logging.log4j:log4j-core:${LOG4J}`,
      `org.apache.logging.log4j:log4j-slf4j-impl:${LOG4J}`,
    ])
  },

  async prepare() {
    mkdirSync(dataDir, { recursive: true })
    // Holds the PLAIN passwords: for this user only
    writeFileSync(configFile, serverProperties(saslSslProperties(stackTls(), stackPasswords())), {
      mode: 0o600,
    })
    chmodSync(configFile, 0o600)
    writeFileSync(log4jFile, LOG4J_CONFIG)
    // Format once; the data (topics, offsets, transactions) survives `down`/`up`.
    if (!existsSync(join(dataDir, 'meta.properties'))) {
      run(java(), [
        ...jvmOptions(),
        '-cp',
        classpath(),
        'kafka.tools.StorageTool',
        'format',
        '--cluster-id',
        newClusterId(),
        '--config',
        configFile,
        '--standalone',
      ])
    }
    return {
      command: java(),
      args: [...jvmOptions(), '-cp', classpath(), 'kafka.Kafka', configFile],
      cwd: dir,
    }
  },

  async ready() {
    // A real round trip: the broker answers Metadata only once it is registered and unfenced.
    const admin = new Admin({
      clientId: 'healthstream-stack-probe',
      bootstrapBrokers: [brokers],
      retries: 0,
      timeout: 2000,
    })
    try {
      const metadata = await admin.metadata({ topics: [], forceUpdate: true })
      const broker = metadata.brokers.get(NODE_ID)
      if (broker === undefined) throw new Error(`broker ${NODE_ID} not in the cluster metadata yet`)
    } finally {
      await admin.close()
    }
  },

  async afterStart() {
    await upsertScramCredentials(HOST, PORTS.kafka, stackPasswords())
    const admin = new Admin({ clientId: 'healthstream-stack-acls', bootstrapBrokers: [brokers] })
    try {
      await createGrants(admin, pipelineGrants(''))
    } finally {
      await admin.close()
    }
    await saslSslProbe()
  },

  env() {
    return {
      KAFKA_BROKERS: brokers,
      KAFKA_LIBS: libs(),
      KAFKA_SASL_SSL_BROKERS: saslSslBrokers,
      KAFKA_SASL_SSL_CA_FILE: join(tlsDir(), 'ca.crt'),
      KAFKA_SASL_PASSWORDS_DIR: saslDir(),
    }
  },
}

/**
 * The SASL_SSL listener answers the admin over TLS with SCRAM-SHA-512. Retried for a few seconds: the
 * credentials just written reach the broker's cache through the metadata log.
 */
async function saslSslProbe(): Promise<void> {
  const admin = new Admin({
    clientId: 'healthstream-stack-probe',
    bootstrapBrokers: [saslSslBrokers],
    tls: { ca: readFileSync(stackTls().ca) },
    sasl: {
      mechanism: 'SCRAM-SHA-512',
      username: ADMIN_PRINCIPAL,
      password: stackPasswords().get(ADMIN_PRINCIPAL)!,
    },
    retries: 0,
  })
  const deadline = Date.now() + 15_000
  try {
    for (;;) {
      try {
        await admin.metadata({ topics: [], forceUpdate: true })
        return
      } catch (error) {
        if (Date.now() > deadline)
          throw new Error(`kafka: SASL_SSL listener refuses the admin: ${(error as Error).message}`)
        await new Promise((resolve) => setTimeout(resolve, 250))
      }
    }
  } finally {
    await admin.close()
  }
}
