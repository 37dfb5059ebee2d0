/**
 * The principals of the stack's SASL_SSL listener: one per service (`healthstream-ingest`, …) and an
 * admin that is a super user. Passwords are made once, kept one per file under
 * `.stack/kafka/sasl/<principal>` (mode 0600, ready for `KAFKA_SASL_PASSWORD_FILE`), and written to
 * the broker on every start: as SCRAM-SHA-256 and SCRAM-SHA-512 credentials (AlterUserScramCredentials
 * over the PLAINTEXT listener, whose ANONYMOUS principal is a super user) and into the PLAIN login
 * module's user list in server.properties.
 */
import { pbkdf2Sync, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { alterUserScramCredentialsV0, Connection } from '@platformatic/kafka'
import { serverDir } from './paths.ts'
import type { StackTls } from './tls.ts'

/** The services, each with its own principal `healthstream-<service>`. */
export const SERVICES = ['ingest', 'validator', 'aggregator', 'lake-writer'] as const
export type ServiceName = (typeof SERVICES)[number]

/** The super user tests and tools authenticate as on SASL_SSL. */
export const ADMIN_PRINCIPAL = 'healthstream-admin'

/** The SASL user name (and principal `User:<name>`) of a service. */
export const principalOf = (service: ServiceName): string => `healthstream-${service}`

/** Every principal the stack creates. */
export const PRINCIPALS: readonly string[] = [ADMIN_PRINCIPAL, ...SERVICES.map(principalOf)]

/** Where the passwords are, one file per principal. */
export const saslDir = (): string => join(serverDir('kafka'), 'sasl')

/** The file holding a principal's password. */
export const passwordFile = (principal: string): string => join(saslDir(), principal)

/** Every principal's password, made (128 random bits, hex) the first time it is asked for. */
export function stackPasswords(): ReadonlyMap<string, string> {
  mkdirSync(saslDir(), { recursive: true, mode: 0o700 })
  const passwords = new Map<string, string>()
  for (const principal of PRINCIPALS) {
    const file = passwordFile(principal)
    if (!existsSync(file)) writeFileSync(file, randomBytes(16).toString('hex'), { mode: 0o600 })
    passwords.set(principal, readFileSync(file, 'utf8').trim())
  }
  return passwords
}

/** Kafka's ids of the SCRAM mechanisms (AlterUserScramCredentials) and their PBKDF2 parameters. */
const SCRAM = [
  { mechanism: 1, digest: 'sha256', keyLength: 32 },
  { mechanism: 2, digest: 'sha512', keyLength: 64 },
] as const
const ITERATIONS = 8192

/**
 * Sets every principal's SCRAM-SHA-256 and SCRAM-SHA-512 credentials (idempotent: an upsert). Talks to
 * the PLAINTEXT listener, where the broker takes the stack's tools for a super user.
 */
export async function upsertScramCredentials(
  host: string,
  port: number,
  passwords: ReadonlyMap<string, string>,
): Promise<void> {
  const connection = new Connection('healthstream-stack-scram')
  try {
    await connection.connect(host, port)
    // One request per mechanism: the broker refuses a user named twice in one request
    for (const { mechanism, digest, keyLength } of SCRAM) {
      const upsertions = [...passwords].map(([name, password]) => {
        const salt = randomBytes(32)
        const saltedPassword = pbkdf2Sync(password, salt, ITERATIONS, keyLength, digest)
        return { name, mechanism, iterations: ITERATIONS, salt, saltedPassword }
      })
      const response = await alterUserScramCredentialsV0.api.async(connection, [], upsertions)
      const failed = response.results.filter((r) => r.errorCode !== 0)
      if (failed.length > 0) {
        const reasons = failed.map((r) => `${r.user}: ${r.errorMessage ?? `error ${r.errorCode}`}`)
        throw new Error(`kafka: SCRAM credentials refused: ${reasons.join('; ')}`)
      }
    }
  } finally {
    await connection.close()
  }
}

/** The PLAIN login module's configuration: `user_<name>="<password>"` for every principal. */
function plainJaas(passwords: ReadonlyMap<string, string>): string {
  const users = [...passwords].map(([name, password]) => `user_${name}="${password}"`)
  return `org.apache.kafka.common.security.plain.PlainLoginModule required ${users.join(' ')};`
}

/**
 * The server.properties lines of the SASL_SSL listener and the authorizer: the stack's certificate
 * (PEM key store; client certificates are asked for, not required), SCRAM and PLAIN, KRaft's
 * StandardAuthorizer with no access where no ACL allows it. The PLAINTEXT listener, the controller and
 * inter-broker traffic stay as they were: their ANONYMOUS principal is a super user, so every tool and
 * test on PLAINTEXT keeps working; ACLs bind only who logs in on SASL_SSL.
 */
export function saslSslProperties(tls: StackTls, passwords: ReadonlyMap<string, string>): string {
  const scram = 'org.apache.kafka.common.security.scram.ScramLoginModule required;'
  return `
# SASL_SSL (tools/stack/kafka-sasl.ts): certificates from .stack/tls, passwords from .stack/kafka/sasl.
listener.name.sasl_ssl.ssl.keystore.type=PEM
listener.name.sasl_ssl.ssl.keystore.location=${tls.server.bundle}
listener.name.sasl_ssl.ssl.truststore.type=PEM
listener.name.sasl_ssl.ssl.truststore.location=${tls.ca}
listener.name.sasl_ssl.ssl.client.auth=requested
sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256,PLAIN
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=${scram}
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=${scram}
listener.name.sasl_ssl.plain.sasl.jaas.config=${plainJaas(passwords)}
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:ANONYMOUS;User:${ADMIN_PRINCIPAL}
`
}
