/**
 * The Kafka clients' TLS and SASL settings, from `KAFKA_SECURITY_PROTOCOL`, `KAFKA_SASL_*` and
 * `KAFKA_TLS_*`: checked together (a SASL protocol needs a mechanism and its credentials, TLS files
 * need a TLS protocol and must hold PEM), then turned into the connection options every client of the
 * service is built with (consumers, producers, admins, the fetch pool). Files are read once, at start;
 * the OAUTHBEARER token file at every authentication, because tokens rotate. Messages name variables
 * and paths, never a password, a token or a key.
 */
import { readFileSync } from 'node:fs'
import type { ConnectionOptions as TlsOptions } from 'node:tls'
import { CERTIFICATE_FAILURES, type KafkaConnectionConfig } from '../kafka/index.ts'
import { type commonConfig, KAFKA_SASL_MECHANISMS } from '../platform/common-config.ts'
import type { ConfigOf } from '../platform/config.ts'

const TLS_KEYS = [
  'KAFKA_TLS_CA_FILE',
  'KAFKA_TLS_CERT_FILE',
  'KAFKA_TLS_KEY_FILE',
  'KAFKA_TLS_SERVERNAME',
] as const
const SASL_KEYS = [
  'KAFKA_SASL_MECHANISM',
  'KAFKA_SASL_USERNAME',
  'KAFKA_SASL_PASSWORD',
  'KAFKA_SASL_TOKEN_FILE',
] as const

/** The keys this module reads. */
export type KafkaSecurityConfig = Pick<
  ConfigOf<typeof commonConfig>,
  'KAFKA_SECURITY_PROTOCOL' | (typeof TLS_KEYS)[number] | (typeof SASL_KEYS)[number]
>

/** The TLS and SASL part of `KafkaConnectionConfig`. */
export type KafkaSecurityOptions = NonNullable<KafkaConnectionConfig['connection']>

/** The connection options (none for PLAINTEXT), or the problems that stop start-up. */
export interface KafkaSecurity {
  readonly connection: KafkaSecurityOptions | undefined
  /** One line per problem, naming the variable: any stops start-up. */
  readonly problems: readonly string[]
}

/** Reads a file whole; `readFileSync` in production, a table in tests. */
export type ReadFile = (path: string) => Buffer

/** Checks the security keys together and builds the clients' `tls` / `sasl` options from them. */
export function kafkaSecurity(config: KafkaSecurityConfig, readFile: ReadFile = readFileSync): KafkaSecurity {
  const protocol = config.KAFKA_SECURITY_PROTOCOL
  const usesTls = protocol === 'SSL' || protocol === 'SASL_SSL'
  const usesSasl = protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL'
  const problems: string[] = []
  // A key set for a protocol that ignores it is a mistake: the operator believes it is in force
  const unused = [...(usesTls ? [] : TLS_KEYS), ...(usesSasl ? [] : SASL_KEYS)]
  for (const key of unused.filter((k) => config[k] !== '')) {
    const layer = key.startsWith('KAFKA_TLS_') ? 'TLS' : 'SASL'
    problems.push(`${key} is set, but KAFKA_SECURITY_PROTOCOL=${protocol} uses no ${layer}`)
  }
  const read = pemReader(readFile, problems)
  const connection: KafkaSecurityOptions = {
    ...(usesTls ? tlsOptions(config, read, problems) : {}),
    ...(usesSasl ? saslOptions(config, readFile, problems) : {}),
  }
  return { connection: usesTls || usesSasl ? connection : undefined, problems }
}

type PemReader = (key: string, path: string, marker: RegExp, what: string) => Buffer | undefined

/** Reads a PEM file named by `key`, or records why it cannot be used (never its content). */
function pemReader(readFile: ReadFile, problems: string[]): PemReader {
  return (key, path, marker, what) => {
    let content: Buffer
    try {
      content = readFile(path)
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message
      problems.push(`${key}=${JSON.stringify(path)} cannot be read: ${reason}`)
      return undefined
    }
    const text = content.toString('latin1')
    if (/-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(text))
      problems.push(
        `${key}=${JSON.stringify(path)} holds an encrypted key: give it unencrypted (a Secret file)`,
      )
    else if (!marker.test(text)) problems.push(`${key}=${JSON.stringify(path)} holds no PEM ${what}`)
    return content
  }
}

const CERTIFICATE = /-----BEGIN CERTIFICATE-----/
const PRIVATE_KEY = /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/

function tlsOptions(
  config: KafkaSecurityConfig,
  read: PemReader,
  problems: string[],
): Pick<KafkaSecurityOptions, 'tls' | 'tlsServerName'> {
  const tls: TlsOptions = {}
  const { KAFKA_TLS_CA_FILE: ca, KAFKA_TLS_CERT_FILE: cert, KAFKA_TLS_KEY_FILE: key } = config
  if (ca !== '') tls.ca = read('KAFKA_TLS_CA_FILE', ca, CERTIFICATE, 'certificate')
  if (cert !== '' && key === '') problems.push('KAFKA_TLS_KEY_FILE is required with KAFKA_TLS_CERT_FILE')
  if (key !== '' && cert === '') problems.push('KAFKA_TLS_CERT_FILE is required with KAFKA_TLS_KEY_FILE')
  if (cert !== '' && key !== '') {
    tls.cert = read('KAFKA_TLS_CERT_FILE', cert, CERTIFICATE, 'certificate')
    tls.key = read('KAFKA_TLS_KEY_FILE', key, PRIVATE_KEY, 'private key')
  }
  const servername = config.KAFKA_TLS_SERVERNAME
  return { tls, ...(servername === '' ? {} : { tlsServerName: servername }) }
}

function saslOptions(
  config: KafkaSecurityConfig,
  readFile: ReadFile,
  problems: string[],
): Pick<KafkaSecurityOptions, 'sasl'> {
  const protocol = config.KAFKA_SECURITY_PROTOCOL
  const mechanism = config.KAFKA_SASL_MECHANISM
  if (mechanism === '') {
    problems.push(
      `KAFKA_SASL_MECHANISM is required with KAFKA_SECURITY_PROTOCOL=${protocol}: one of ${KAFKA_SASL_MECHANISMS.join(', ')}`,
    )
    return {}
  }
  const needed = (key: (typeof SASL_KEYS)[number], used: boolean): void => {
    if (used && config[key] === '') problems.push(`${key} is required with KAFKA_SASL_MECHANISM=${mechanism}`)
    if (!used && config[key] !== '') problems.push(`${key} is not used by KAFKA_SASL_MECHANISM=${mechanism}`)
  }
  const bearer = mechanism === 'OAUTHBEARER'
  needed('KAFKA_SASL_USERNAME', !bearer)
  needed('KAFKA_SASL_PASSWORD', !bearer)
  needed('KAFKA_SASL_TOKEN_FILE', bearer)
  if (bearer) {
    const path = config.KAFKA_SASL_TOKEN_FILE
    const token = (): string => readFile(path).toString('utf8').trim()
    if (path !== '') checkToken(path, token, problems)
    return { sasl: { mechanism, token } }
  }
  const password = config.KAFKA_SASL_PASSWORD
  // A function, not the string: client options that end up in a log or an error show no password
  return { sasl: { mechanism, username: config.KAFKA_SASL_USERNAME, password: () => password } }
}

function checkToken(path: string, token: () => string, problems: string[]): void {
  try {
    if (token() === '') problems.push(`KAFKA_SASL_TOKEN_FILE=${JSON.stringify(path)} is empty`)
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message
    problems.push(`KAFKA_SASL_TOKEN_FILE=${JSON.stringify(path)} cannot be read: ${reason}`)
  }
}

/**
 * What an operator should check when `error` (a classified Kafka error, whose message carries the
 * broker's error ids) is the cluster refusing this service's certificate check, credentials or ACLs;
 * undefined for any other error. Names variables, never a password.
 */
export function kafkaSecurityHint(error: unknown, config: KafkaSecurityConfig): string | undefined {
  const text = error instanceof Error ? error.message : String(error)
  const mechanism = config.KAFKA_SASL_MECHANISM
  if (/SASL_AUTHENTICATION_FAILED|UNSUPPORTED_SASL_MECHANISM|ILLEGAL_SASL_STATE/.test(text)) {
    const who = mechanism === 'OAUTHBEARER' ? 'the token in KAFKA_SASL_TOKEN_FILE' : 'KAFKA_SASL_PASSWORD'
    return (
      `authentication failed: Kafka refused KAFKA_SASL_USERNAME=${JSON.stringify(config.KAFKA_SASL_USERNAME)} ` +
      `with KAFKA_SASL_MECHANISM=${mechanism}; check the user, ${who} and the mechanisms the broker enables`
    )
  }
  const denied = /\b(TOPIC|GROUP|TRANSACTIONAL_ID|CLUSTER)_AUTHORIZATION_FAILED\b/.exec(text)
  if (denied) {
    const principal = config.KAFKA_SASL_USERNAME === '' ? 'this client' : `User:${config.KAFKA_SASL_USERNAME}`
    return (
      `authorization failed: Kafka's ACLs deny ${principal} on a ${denied[1]!.toLowerCase().replace('_', ' ')} ` +
      `(${text.slice(0, text.indexOf(':'))}); grant what the service needs (tools/stack/kafka-acls.ts lists it) or check TOPIC_PREFIX`
    )
  }
  if (CERTIFICATE_FAILURES.some((code) => text.includes(code))) {
    return `TLS failed: the brokers' certificate does not verify; check KAFKA_TLS_CA_FILE and KAFKA_TLS_SERVERNAME`
  }
  return undefined
}
