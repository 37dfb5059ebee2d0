/**
 * Services the stack's SASL_SSL listener refuses say so and exit, so that the orchestrator restarts
 * them with the reason in their last log line: never a hang, never a silent loop. A wrong password
 * stops start-up ("authentication failed", naming the user and the mechanism); an ACL that is missing
 * stops the service at the operation it refuses, naming the topic (the validator at its first
 * transaction without WRITE on its output, the lake-writer at its first fetch without READ on an
 * input). No password appears in any output.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { localTarget } from '@healthstream/lake-writer/testing'
import { createAdmin, ensureTopics } from '@healthstream/shared/kafka'
import {
  eventually,
  type ServiceProcess,
  saslSslConnection,
  saslSslEnv,
  simulateInto,
  stackPassword,
  testPipeline,
} from '@healthstream/testkit/stack'
import {
  ADMIN_PRINCIPAL,
  createGrants,
  deleteGrants,
  type Grant,
  principalOf,
  SERVICES,
  serviceGrants,
} from '@healthstream/tools/stack/kafka-acls'

interface FatalLine {
  readonly msg: string
  readonly hint?: string
  readonly err: { readonly message: string }
}

describe('services the SASL_SSL listener refuses', { timeout: 240_000 }, () => {
  const admin = createAdmin(saslSslConnection(ADMIN_PRINCIPAL, 'sasl-refusals-admin'))
  const granted: Grant[] = []
  const services: ServiceProcess[] = []
  const dir = mkdtempSync(join(tmpdir(), 'hs-sasl-refusals-'))
  after(async () => {
    await Promise.all(services.map((s) => s.stop()))
    await deleteGrants(admin, granted)
    await admin.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const grant = async (grants: readonly Grant[]): Promise<void> => {
    granted.push(...grants)
    await createGrants(admin, grants)
  }
  const track = (service: ServiceProcess): ServiceProcess => {
    services.push(service)
    return service
  }

  it('stops start-up at a wrong password with "authentication failed", showing no password', async () => {
    const pipeline = testPipeline('sasl-wrong-password')
    const wrong = `wrong-${randomBytes(12).toString('hex')}`
    const validator = track(
      pipeline.service('validator', {
        ...saslSslEnv(principalOf('validator')),
        KAFKA_SASL_PASSWORD_FILE: '',
        KAFKA_SASL_PASSWORD: wrong,
      }),
    )
    await assert.rejects(validator.start(), /exited during start-up/)
    const fatal = await fatalLine(validator)
    assert.match(fatal.msg, /^start-up failed/)
    assert.match(
      fatal.hint ?? '',
      /^authentication failed: Kafka refused KAFKA_SASL_USERNAME="healthstream-validator" with KAFKA_SASL_MECHANISM=SCRAM-SHA-512/,
    )
    assert.match(fatal.err.message, /SASL_AUTHENTICATION_FAILED/)
    assert.deepEqual(
      validator.unexpectedExits.map((e) => e.code),
      [1],
    )
    assertShowsNone(validator, [wrong, stackPassword(principalOf('validator'))])
  })

  it('stops the validator at its first transaction when it may not write its output topic', async () => {
    const pipeline = testPipeline('sasl-no-write')
    const denied = pipeline.topics.validated
    const validator = `User:${principalOf('validator')}`
    await grant([
      ...serviceGrants(pipeline.prefix, 'ingest'),
      ...serviceGrants(pipeline.prefix, 'validator').filter(
        (g) => g.name !== denied || g.operation !== 'WRITE',
      ),
      // It may see the topic (start-up passes), only not write to it
      { principal: validator, resource: 'TOPIC', name: denied, pattern: 'LITERAL', operation: 'DESCRIBE' },
    ])
    const env = (name: 'ingest' | 'validator') => ({
      ...saslSslEnv(principalOf(name)),
      TOPIC_PARTITIONS: '4',
    })
    const ingest = track(pipeline.service('ingest', env('ingest')))
    const refused = track(pipeline.service('validator', env('validator')))
    await Promise.all([ingest.start(), refused.start()])
    await simulateInto(pipeline, { samples: 200, users: 1, seed: 5, invalidShare: 0 })

    const fatal = await assertDenied(refused, validator, 'produce in transaction to', denied)
    assert.equal(fatal.msg, 'fatal error; exiting so the process is restarted')
    assert.ok(ingest.running, 'the ingest, allowed all it does, keeps running')
  })

  it('stops the lake-writer at its first fetch when it may not read an input topic', async () => {
    const pipeline = testPipeline('sasl-no-read')
    const denied = pipeline.topics.aggregates
    const writer = `User:${principalOf('lake-writer')}`
    const topics = [pipeline.topics.validated, pipeline.topics.aggregates, pipeline.topics.errors]
    await ensureTopics(
      admin,
      topics.map((topic) => ({ topic, partitions: 1 })),
    )
    await grant([
      ...serviceGrants(pipeline.prefix, 'lake-writer', { create: false }).filter((g) => g.name !== denied),
      // It may see the topic (it joins the group and is assigned its partition), only not read it
      { principal: writer, resource: 'TOPIC', name: denied, pattern: 'LITERAL', operation: 'DESCRIBE' },
    ])
    const target = localTarget(join(dir, 'lake'))
    const refused = track(
      pipeline.service('lake-writer', {
        ...saslSslEnv(principalOf('lake-writer')),
        ...target.env,
        TOPIC_PARTITIONS: '1',
      }),
    )
    await refused.start().catch(() => undefined) // it may fail before or after `started`
    await assertDenied(refused, writer, 'fetch from', denied)
  })
})

/** The service's fatal log line, once it wrote one. */
async function fatalLine(service: ServiceProcess): Promise<FatalLine> {
  let line: string | undefined
  await eventually(
    `a fatal log line of ${service.name}`,
    async () => {
      line = service.lines.find((l) => l.includes('"level":"fatal"'))
      return line !== undefined
    },
    60_000,
  )
  return JSON.parse(line!) as FatalLine
}

/**
 * The service logged a fatal TOPIC_AUTHORIZATION_FAILED whose hint names the principal, the operation
 * and the topic, exited 1, and showed no password; resolves to the fatal line.
 */
async function assertDenied(
  service: ServiceProcess,
  principal: string,
  operation: string,
  topic: string,
): Promise<FatalLine> {
  const fatal = await fatalLine(service)
  assert.match(fatal.err.message, /TOPIC_AUTHORIZATION_FAILED/)
  const expected = `authorization failed: Kafka's ACLs deny ${principal} on a topic (${operation} `
  assert.ok(fatal.hint?.startsWith(expected), fatal.hint)
  assert.ok(fatal.hint?.includes(topic), `the hint names ${topic}`)
  await eventually(`${service.name} to exit`, async () => !service.running, 30_000)
  assert.deepEqual(
    service.unexpectedExits.map((e) => e.code),
    [1],
  )
  assertShowsNone(service, SERVICES.map(principalOf).map(stackPassword))
  return fatal
}

function assertShowsNone(service: ServiceProcess, secrets: readonly string[]): void {
  const leaked = service.lines.filter((line) => secrets.some((secret) => line.includes(secret)))
  assert.deepEqual(leaked, [], `${service.name} showed a password`)
}
