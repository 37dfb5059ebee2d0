/**
 * No secret reaches an operator's screen: every failure path provoked here — malformed secrets,
 * mismatched settings, wrong credentials for the servers — and the admin and metrics answers of a
 * running service are searched for the secret values configured, which must not appear (nor their
 * first 8 characters). Each path must also fail the way it should: exit 78 naming the variable for
 * configuration, a clear message for a server that refuses the credentials.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import {
  endpoint,
  projectRoot,
  TEST_ADMIN_TOKEN,
  testPipeline,
  uniqueName,
} from '@healthstream/testkit/stack'

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
})
