import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { commonConfig } from '../../src/platform/common-config.ts'
import { ConfigError, loadConfig } from '../../src/platform/config.ts'
import { kafkaSecurity, kafkaSecurityHint, type ReadFile } from '../../src/service/kafka-security.ts'

const PASSWORD = 'pa55-w0rd-never-shown'
const CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'
const KEY = '-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n'
const FILES: Record<string, string> = {
  '/tls/ca.crt': CERT,
  '/tls/client.crt': CERT,
  '/tls/client.key': KEY,
  '/tls/encrypted.key': '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIGH\n-----END ENCRYPTED PRIVATE KEY-----\n',
  '/tls/notes.txt': 'not a certificate',
  '/run/token': 'eyJhbGciOi.token\n',
}
const readFile: ReadFile = (path) => {
  const content = FILES[path]
  if (content === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' })
  return Buffer.from(content)
}

/** The common keys from `env` (with the required admin token), then the security check over them. */
function security(env: Record<string, string>) {
  const config = loadConfig(commonConfig, { ADMIN_TOKEN: 'k9X-2fQ7-pL4z-Wm8r-a1B2', ...env }, (path) =>
    readFile(path).toString('utf8'),
  )
  return { config, ...kafkaSecurity(config, readFile) }
}

const SCRAM = {
  KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
  KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
  KAFKA_SASL_USERNAME: 'healthstream-validator',
  KAFKA_SASL_PASSWORD: PASSWORD,
  KAFKA_TLS_CA_FILE: '/tls/ca.crt',
}

describe('Kafka security configuration', () => {
  it('connects in plain text by default, with no TLS or SASL options', () => {
    const { config, connection, problems } = security({})
    assert.equal(config.KAFKA_SECURITY_PROTOCOL, 'PLAINTEXT')
    assert.equal(connection, undefined)
    assert.deepEqual(problems, [])
  })

  it('gives SASL_SSL with SCRAM-SHA-512 the CA, the user and a password the options do not show', () => {
    const { connection, problems } = security(SCRAM)
    assert.deepEqual(problems, [])
    assert.deepEqual(connection?.tls, { ca: Buffer.from(CERT) })
    assert.equal(connection?.sasl?.mechanism, 'SCRAM-SHA-512')
    assert.equal(connection?.sasl?.username, 'healthstream-validator')
    const password = connection!.sasl!.password
    assert.equal(typeof password, 'function', 'a provider, so that options in a log show no password')
    assert.equal((password as () => string)(), PASSWORD)
    assert.ok(!JSON.stringify(connection).includes(PASSWORD))
  })

  it('reads the password from KAFKA_SASL_PASSWORD_FILE', () => {
    FILES['/run/password'] = `${PASSWORD}\n`
    const { connection } = security({
      ...SCRAM,
      KAFKA_SASL_PASSWORD: '',
      KAFKA_SASL_PASSWORD_FILE: '/run/password',
    })
    assert.equal((connection!.sasl!.password as () => string)(), PASSWORD)
  })

  it('gives SSL a client certificate and key for mutual TLS, and the name to check', () => {
    const { connection, problems } = security({
      KAFKA_SECURITY_PROTOCOL: 'SSL',
      KAFKA_TLS_CERT_FILE: '/tls/client.crt',
      KAFKA_TLS_KEY_FILE: '/tls/client.key',
      KAFKA_TLS_SERVERNAME: 'kafka.internal',
    })
    assert.deepEqual(problems, [])
    assert.deepEqual(connection, {
      tls: { cert: Buffer.from(CERT), key: Buffer.from(KEY) },
      tlsServerName: 'kafka.internal',
    })
  })

  it('reads the OAUTHBEARER token file at every authentication, since tokens rotate', () => {
    const { connection, problems } = security({
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SASL_MECHANISM: 'OAUTHBEARER',
      KAFKA_SASL_TOKEN_FILE: '/run/token',
    })
    assert.deepEqual(problems, [])
    const token = connection!.sasl!.token as () => string
    assert.equal(token(), 'eyJhbGciOi.token')
    FILES['/run/token'] = 'rotated'
    assert.equal(token(), 'rotated')
  })

  it('names each variable that does not fit the others, never showing the password', () => {
    const table: [string, Record<string, string>, RegExp[]][] = [
      [
        'SASL without a mechanism',
        { KAFKA_SECURITY_PROTOCOL: 'SASL_SSL' },
        [/^KAFKA_SASL_MECHANISM is required with KAFKA_SECURITY_PROTOCOL=SASL_SSL: one of PLAIN, /],
      ],
      [
        'SCRAM without credentials',
        { KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT', KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256' },
        [
          /^KAFKA_SASL_USERNAME is required with KAFKA_SASL_MECHANISM=SCRAM-SHA-256$/,
          /^KAFKA_SASL_PASSWORD is required with KAFKA_SASL_MECHANISM=SCRAM-SHA-256$/,
        ],
      ],
      [
        'a password without SASL',
        { KAFKA_SASL_PASSWORD: PASSWORD },
        [/^KAFKA_SASL_PASSWORD is set, but KAFKA_SECURITY_PROTOCOL=PLAINTEXT uses no SASL$/],
      ],
      [
        'a CA without TLS',
        { ...SCRAM, KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT' },
        [/^KAFKA_TLS_CA_FILE is set, but KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT uses no TLS$/],
      ],
      [
        'a certificate without its key',
        { KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_TLS_CERT_FILE: '/tls/client.crt' },
        [/^KAFKA_TLS_KEY_FILE is required with KAFKA_TLS_CERT_FILE$/],
      ],
      [
        'files that cannot serve',
        {
          ...SCRAM,
          KAFKA_TLS_CA_FILE: '/tls/missing.crt',
          KAFKA_TLS_CERT_FILE: '/tls/notes.txt',
          KAFKA_TLS_KEY_FILE: '/tls/encrypted.key',
        },
        [
          /^KAFKA_TLS_CA_FILE="\/tls\/missing.crt" cannot be read: ENOENT$/,
          /^KAFKA_TLS_CERT_FILE="\/tls\/notes.txt" holds no PEM certificate$/,
          /^KAFKA_TLS_KEY_FILE="\/tls\/encrypted.key" holds an encrypted key/,
        ],
      ],
      [
        'OAUTHBEARER with a password and no token',
        { ...SCRAM, KAFKA_SASL_MECHANISM: 'OAUTHBEARER' },
        [
          /^KAFKA_SASL_USERNAME is not used by KAFKA_SASL_MECHANISM=OAUTHBEARER$/,
          /^KAFKA_SASL_PASSWORD is not used by KAFKA_SASL_MECHANISM=OAUTHBEARER$/,
          /^KAFKA_SASL_TOKEN_FILE is required with KAFKA_SASL_MECHANISM=OAUTHBEARER$/,
        ],
      ],
    ]
    for (const [name, env, expected] of table) {
      const { problems } = security(env)
      assert.equal(problems.length, expected.length, `${name}: ${problems.join(' | ')}`)
      for (const [i, pattern] of expected.entries()) assert.match(problems[i]!, pattern, name)
      assert.ok(!problems.join('\n').includes(PASSWORD), `${name}: no password`)
    }
  })

  it('refuses a protocol or mechanism it does not know, naming the variable', () => {
    for (const [env, named] of [
      [
        { KAFKA_SECURITY_PROTOCOL: 'TLS' },
        /^KAFKA_SECURITY_PROTOCOL="TLS" is invalid: expected one of PLAINTEXT, SSL, /,
      ],
      [
        { KAFKA_SASL_MECHANISM: 'GSSAPI' },
        /^KAFKA_SASL_MECHANISM="GSSAPI" is invalid: expected one of PLAIN, /,
      ],
    ] as const) {
      const error = (() => {
        try {
          security(env)
        } catch (e) {
          return e
        }
      })()
      assert.ok(error instanceof ConfigError)
      assert.match(error.problems[0]!, named)
    }
  })
})

describe('the hint for a Kafka refusal', () => {
  const { config } = security(SCRAM)

  it('says what to check when the broker refuses the credentials, the ACLs or the certificate', () => {
    const table: [string, RegExp][] = [
      [
        'list topics: Listing topics failed. [SASL_AUTHENTICATION_FAILED]',
        /^authentication failed: Kafka refused KAFKA_SASL_USERNAME="healthstream-validator" with KAFKA_SASL_MECHANISM=SCRAM-SHA-512; check the user, KAFKA_SASL_PASSWORD and/,
      ],
      [
        'produce in transaction to t.health-data-validated: refused [TOPIC_AUTHORIZATION_FAILED]',
        /^authorization failed: Kafka's ACLs deny User:healthstream-validator on a topic \(produce in transaction to t\.health-data-validated\)/,
      ],
      [
        'join group: refused [GROUP_AUTHORIZATION_FAILED]',
        /^authorization failed: .* on a group \(join group\)/,
      ],
      [
        'begin transaction: refused [TRANSACTIONAL_ID_AUTHORIZATION_FAILED]',
        /^authorization failed: .* on a transactional id/,
      ],
      ['list topics: failed [SELF_SIGNED_CERT_IN_CHAIN]', /^TLS failed: .* check KAFKA_TLS_CA_FILE/],
    ]
    for (const [message, hint] of table)
      assert.match(kafkaSecurityHint(new Error(message), config) ?? '', hint)
    assert.equal(kafkaSecurityHint(new Error('fetch: [NOT_LEADER_OR_FOLLOWER]'), config), undefined)
  })
})
