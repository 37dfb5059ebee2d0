/**
 * The stack's SASL_SSL listener as tests see it (`npm run stack -- env`: `KAFKA_SASL_SSL_BROKERS`,
 * `KAFKA_SASL_SSL_CA_FILE`, `KAFKA_SASL_PASSWORDS_DIR`, one password file per principal): a service's
 * environment as a principal, and a connection for clients of the test's own (an admin as the super
 * user to create ACLs).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { KafkaConnectionConfig } from '@healthstream/shared/kafka'
import { endpoint } from './endpoints.ts'

/** The file holding `principal`'s password. */
export const stackPasswordFile = (principal: string): string =>
  join(endpoint('KAFKA_SASL_PASSWORDS_DIR'), principal)

/** `principal`'s password, to look for in logs that must not show it. */
export const stackPassword = (principal: string): string =>
  readFileSync(stackPasswordFile(principal), 'utf8').trim()

/**
 * A service's environment on SASL_SSL as `principal`: the stack's CA, SCRAM-SHA-512 unless told, the
 * password read from the stack's file through `KAFKA_SASL_PASSWORD_FILE`.
 */
export function saslSslEnv(principal: string, mechanism = 'SCRAM-SHA-512'): Record<string, string> {
  return {
    KAFKA_BROKERS: endpoint('KAFKA_SASL_SSL_BROKERS'),
    KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
    KAFKA_SASL_MECHANISM: mechanism,
    KAFKA_SASL_USERNAME: principal,
    KAFKA_SASL_PASSWORD_FILE: stackPasswordFile(principal),
    KAFKA_TLS_CA_FILE: endpoint('KAFKA_SASL_SSL_CA_FILE'),
  }
}

/** A client connection to SASL_SSL as `principal` (SCRAM-SHA-512). */
export function saslSslConnection(principal: string, clientId: string): KafkaConnectionConfig {
  const password = stackPassword(principal)
  return {
    bootstrapBrokers: [endpoint('KAFKA_SASL_SSL_BROKERS')],
    clientId,
    connection: {
      tls: { ca: readFileSync(endpoint('KAFKA_SASL_SSL_CA_FILE')) },
      sasl: { mechanism: 'SCRAM-SHA-512', username: principal, password: () => password },
    },
  }
}
