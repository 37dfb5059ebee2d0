/**
 * No secret reaches an operator's screen: every failure path provoked here — malformed secrets,
 * mismatched settings, wrong credentials for the servers — and the admin and metrics answers of a
 * running service are searched for the secret values configured, which must not appear (nor their
 * first 8 characters). Each path must also fail the way it should: exit 78 naming the variable for
 * configuration, a clear message for a server that refuses the credentials. Then a chain running on
 * every secret at once (Kafka SASL_SSL principals, a Redis ACL user over TLS, the PostgreSQL catalog's
 * password, S3 keys, the admin token) is asked everything its HTTP servers answer, and its logs read.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { createAdmin } from '@healthstream/shared/kafka'
import {
  endpoint,
  eventually,
  projectRoot,
  redisEnv,
  redisPassword,
  redisUserOf,
  ServiceProcess,
  saslSslConnection,
  saslSslEnv,
  simulateInto,
  stackPassword,
  TEST_ADMIN_TOKEN,
  testPipeline,
  uniqueName,
} from '@healthstream/testkit/stack'
import {
  ADMIN_PRINCIPAL,
  createGrants,
  deleteGrants,
  pipelineGrants,
  principalOf,
  type SERVICES,
} from '@healthstream/tools/stack/kafka-acls'

const dir = mkdtempSync(join(tmpdir(), 'hs-secrets-'))
after(() => rmSync(dir, { recursive: true, force: true }))

interface Exit {
  readonly code: number | null
  readonly output: string
}

/** Runs a service until it exits by itself (or `ms` pass: then it is killed and the output kept). */
function runUntilExit(service: string, env: Record<string, string>, ms = 60_000): Promise<Exit> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(projectRoot, 'services', service, 'src', 'main.ts')], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8')
    })
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8')
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), ms)
    child.once('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
}

/** Fails naming the secret when `text` holds it, or its first 8 characters. */
function assertNoSecret(text: string, secrets: readonly string[]): void {
  for (const secret of secrets) {
    assert.ok(
      !text.includes(secret.slice(0, 8)),
      `the output holds (part of) a secret:\n${text.slice(-2000)}`,
    )
  }
}

const base = (): Record<string, string> => ({ ...testPipeline('secrets').env, ADMIN_TOKEN: TEST_ADMIN_TOKEN })

describe('secrets in what the services print', { timeout: 300_000 }, () => {
  const configuration: [string, string, Record<string, string>, string[], RegExp][] = [
    [
      'ingest',
      'an admin token with whitespace',
      { ADMIN_TOKEN: ' Leaked-AdminToken-7f3e9a ' },
      ['Leaked-AdminToken-7f3e9a'],
      /ADMIN_TOKEN is invalid: expected no whitespace/,
    ],
    [
      'validator',
      'an admin token read from a file, too predictable',
      { ADMIN_TOKEN_FILE: join(dir, 'token') },
      ['zzzzzzzzzzzzzzzzzzzzzzzz'],
      /ADMIN_TOKEN is invalid: too predictable/,
    ],
    [
      'lake-writer',
      'a PostgreSQL catalog URI with its password, under a REST catalog kind',
      { LAKE_CATALOG: 'rest', LAKE_CATALOG_URI: 'postgresql://hs:PgPassw0rd-c4t4l0g@127.0.0.1:1/lake' },
      ['PgPassw0rd-c4t4l0g'],
      /LAKE_CATALOG_URI="postgresql:\/\/hs:\*\*\*@127\.0\.0\.1:1\/lake" is invalid/,
    ],
    [
      'aggregator',
      'registry credentials without a colon',
      { SCHEMA_REGISTRY_AUTH: 'RegistryT0ken-no-colon' },
      ['RegistryT0ken-no-colon'],
      /SCHEMA_REGISTRY_AUTH must be/,
    ],
    [
      'validator',
      'a malformed Redis URL with a password',
      { REDIS_URL: 'redis://:RedisPassw0rd-9x@ bad host' },
      ['RedisPassw0rd-9x'],
      /REDIS_URL(="redis:\/\/:\*\*\*@ bad host")? is invalid/,
    ],
  ]
  writeFileSync(join(dir, 'token'), `${'z'.repeat(24)}\n`)
  for (const [service, what, env, secrets, message] of configuration) {
    it(`${service}: ${what} stops start-up (78), naming the variable, not the value`, async () => {
      const settings = { ...base(), ...env }
      if (settings.ADMIN_TOKEN_FILE !== undefined) delete settings.ADMIN_TOKEN
      const exit = await runUntilExit(service, settings)
      assert.equal(exit.code, 78, exit.output)
      assert.match(exit.output, message)
      assertNoSecret(exit.output, secrets)
    })
  }

  it('lake-writer: a catalog database refusing the password fails clearly, without the password', async () => {
    const url = new URL(endpoint('LAKE_POSTGRES_URL'))
    url.password = 'Wr0ngPgPassword-xyz'
    const exit = await runUntilExit('lake-writer', {
      ...base(),
      LAKE_CATALOG_URI: url.href,
      LAKE_WAREHOUSE: join(dir, 'warehouse-pg'),
    })
    assert.notEqual(exit.code, 0, exit.output)
    assert.match(exit.output, /password authentication failed|authentication/i)
    assertNoSecret(exit.output, ['Wr0ngPgPassword-xyz'])
  })

  it('lake-writer: S3 refusing the secret key fails clearly, without the key', async () => {
    const exit = await runUntilExit('lake-writer', {
      ...base(),
      LAKE_CATALOG_URI: join(dir, 'catalog-s3.db'),
      LAKE_WAREHOUSE: `s3://${endpoint('S3_BUCKET')}/${uniqueName('secrets')}`,
      S3_ENDPOINT: endpoint('S3_ENDPOINT'),
      S3_REGION: endpoint('S3_REGION'),
      S3_ACCESS_KEY_ID: endpoint('S3_ACCESS_KEY_ID'),
      S3_SECRET_ACCESS_KEY: 'Wr0ngS3SecretKey-abcdef0123',
    })
    assert.notEqual(exit.code, 0, exit.output)
    assert.match(exit.output, /SignatureDoesNotMatch|AccessDenied|InvalidAccessKeyId|403/)
    assertNoSecret(exit.output, ['Wr0ngS3SecretKey-abcdef0123'])
  })

  it('the running chain shows no secret in its logs or in any admin, health or metrics answer', async () => {
    const pipeline = testPipeline('secrets-running')
    const kafka = (name: (typeof SERVICES)[number]) => saslSslEnv(principalOf(name))
    const env = { ...pipeline.env, ADMIN_TOKEN: 'Running-Admin-T0ken-5c1e9b' }
    const processes = [
      new ServiceProcess('ingest', { ...env, ...kafka('ingest'), INSTANCE_ID: 'ingest-1' }),
      new ServiceProcess('validator', {
        ...env,
        ...kafka('validator'),
        ...redisEnv(redisUserOf('validator')),
        INSTANCE_ID: 'validator-1',
      }),
      new ServiceProcess('lake-writer', {
        ...env,
        ...kafka('lake-writer'),
        INSTANCE_ID: 'lake-writer-1',
        LAKE_CATALOG_URI: endpoint('LAKE_POSTGRES_URL'),
        LAKE_NAMESPACE: pipeline.prefix.replace(/[^a-z0-9]/gi, '_').replace(/_$/, ''),
        LAKE_WAREHOUSE: `s3://${endpoint('S3_BUCKET')}/${uniqueName('secrets-running')}`,
        S3_ENDPOINT: endpoint('S3_ENDPOINT'),
        S3_REGION: endpoint('S3_REGION'),
        S3_ACCESS_KEY_ID: endpoint('S3_ACCESS_KEY_ID'),
        S3_SECRET_ACCESS_KEY: endpoint('S3_SECRET_ACCESS_KEY'),
      }),
    ]
    const secrets = [
      env.ADMIN_TOKEN,
      ...(['ingest', 'validator', 'lake-writer'] as const).map((name) => stackPassword(principalOf(name))),
      redisPassword(redisUserOf('validator')),
      // The stack's PostgreSQL and S3 secrets ("healthstream…") are words every metric name holds: the
      // failure paths above search for wrong ones of their own instead.
    ]
    const admin = createAdmin(saslSslConnection(ADMIN_PRINCIPAL, 'secrets-admin'))
    const grants = pipelineGrants(pipeline.prefix)
    await createGrants(admin, grants)
    try {
      for (const service of processes) await service.start()
      await simulateInto(pipeline, { samples: 300, users: 2, seed: 5, start: Date.now() - 86_400_000 })
      const auth = { authorization: `Bearer ${env.ADMIN_TOKEN}` }
      const answers: string[] = []
      for (const service of processes) {
        await eventually(`${service.name} ready`, async () => (await service.fetch('/readyz')).ok)
        for (const [path, init] of [
          ['/healthz', {}],
          ['/readyz', {}],
          ['/metrics', {}],
          ['/admin/status', { headers: auth }],
          ['/admin/status', { headers: { authorization: 'Bearer wrong-token-0123456789' } }],
          ['/admin/pause', { method: 'POST', headers: auth }],
          ['/admin/resume', { method: 'POST', headers: auth }],
        ] as const) {
          const response = await service.fetch(path, init)
          answers.push(`${service.name} ${path} ${response.status} ${await response.text()}`)
        }
      }
      assert.ok(
        answers.some((a) => a.includes('/admin/status 200')),
        answers.join('\n'),
      )
      assertNoSecret(answers.join('\n'), secrets)
    } finally {
      for (const service of processes) await service.stop()
      await deleteGrants(admin, grants)
      await admin.close()
    }
    assertNoSecret(processes.flatMap((p) => p.lines).join('\n'), secrets)
  })
})
