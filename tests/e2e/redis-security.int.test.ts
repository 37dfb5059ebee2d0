/**
 * The validator and the aggregator, as processes, against a Redis that wants passwords and speaks TLS:
 * - the stack's Redis over TLS (its CA; the aggregator also with a client certificate), each service as
 *   its ACL user, the password from a file (`REDIS_PASSWORD_FILE`): every valid sample validated once,
 *   windows aggregated, the connections seen by Redis as those users on the TLS port;
 * - a TLS-only Redis Cluster with a password for `default` and per-service ACL users that own only
 *   this pipeline's namespace, as production would write them;
 * - a wrong password stops start-up (exit 78) naming the variables; a user its ACL does not fit stops
 *   the service at its first batch. No output ever shows a password.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { aggregateStoreAccess } from '@healthstream/aggregator'
import { connectRedis, dedupAccess } from '@healthstream/shared/redis'
import {
  endpoint,
  eventually,
  expectedOutcomes,
  nodeOfKeys,
  readTruth,
  readValidated,
  redisEnv,
  redisPassword,
  redisUserOf,
  type ServiceProcess,
  simulateInto,
  stackRedisTls,
  startRedisCluster,
  type TestPipeline,
  testPipeline,
} from '@healthstream/testkit/stack'
import { type Cluster, Redis } from 'ioredis'

const VALIDATOR = redisUserOf('validator')
const AGGREGATOR = redisUserOf('aggregator')
const STACK_PASSWORDS = [redisPassword(VALIDATOR), redisPassword(AGGREGATOR)]
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex')
const running: ServiceProcess[] = []
after(async () => {
  await Promise.all(running.map((s) => s.stop()))
})

function start(pipeline: TestPipeline, name: string, env: Record<string, string>): ServiceProcess {
  const service = pipeline.service(name, { PARTITION_IDLE_TIMEOUT: '1ms', ...env })
  running.push(service)
  return service
}

/** Partition batches the aggregator applied to its state in Redis, from its /metrics. */
async function aggregatedBatches(aggregator: ServiceProcess): Promise<number> {
  const text = await (await aggregator.fetch('/metrics')).text()
  const lines = text
    .split('\n')
    .filter((l) => l.startsWith('healthstream_aggregator_partition_batches_total{'))
  return lines.reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0)
}

/**
 * Simulated uploads through ingest; then every valid sample validated once (the duplicates found in
 * Redis) and the aggregator's batches applied to its state in Redis.
 */
async function runsThrough(pipeline: TestPipeline, aggregator: ServiceProcess, seed: number): Promise<void> {
  const truth = readTruth(
    await simulateInto(pipeline, {
      samples: 400,
      users: 8,
      seed,
      invalidShare: 0.05,
      duplicateShare: 0.05,
      start: Date.now() - 5 * 86_400_000,
    }),
  )
  const { valid } = expectedOutcomes(truth)
  await eventually(
    `${valid.size} validated samples`,
    async () => (await readValidated(pipeline.topics.validated)).length >= valid.size,
    90_000,
  )
  const validated = await readValidated(pipeline.topics.validated)
  assert.deepEqual(new Set(validated.map((v) => `${v.userId}/${v.sampleId}`)), valid)
  assert.equal(validated.length, valid.size, 'each valid sample once: duplicates found in Redis')
  await eventually(
    'the aggregator to apply batches',
    async () => (await aggregatedBatches(aggregator)) > 0,
    60_000,
  )
}

/** Whether a key matches `pattern`. */
async function anyKey(redis: Redis, pattern: string): Promise<boolean> {
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 10_000)
    if (keys.length > 0) return true
    cursor = next
  } while (cursor !== '0')
  return false
}

/** No line any service printed holds one of `passwords`. */
function assertNoPasswords(services: readonly ServiceProcess[], passwords: readonly string[]): void {
  for (const service of services)
    for (const password of passwords)
      assert.ok(!service.lines.some((l) => l.includes(password)), `${service.name} printed a password`)
}

describe('validator and aggregator with Redis passwords and TLS', { timeout: 300_000 }, () => {
  it('run as their ACL users over TLS on the stack’s Redis', async () => {
    const pipeline = testPipeline('redis-tls')
    const services = [
      start(pipeline, 'ingest', {}),
      start(pipeline, 'validator', redisEnv(VALIDATOR, { tls: true })),
      start(pipeline, 'aggregator', redisEnv(AGGREGATOR, { tls: true, clientCertificate: true })),
    ]
    await Promise.all(services.map((s) => s.start()))
    const admin = new Redis(endpoint('REDIS_URL'))
    try {
      await runsThrough(pipeline, services[2]!, 11)
      // Redis's view: each service connected as its user, on the TLS port
      const tlsPort = new URL(endpoint('REDIS_TLS_URL')).port
      const clients = (await admin.client('LIST')) as string
      for (const user of [VALIDATOR, AGGREGATOR])
        assert.match(clients, new RegExp(`laddr=127\\.0\\.0\\.1:${tlsPort} .*user=${user}`))
      assert.ok(await anyKey(admin, `${pipeline.prefix}:agg:*:w:*`), 'windows in the stack’s Redis')
    } finally {
      admin.disconnect()
    }
    assertNoPasswords(services, STACK_PASSWORDS)
    for (const s of services) assert.deepEqual(s.unexpectedExits, [], s.name)
  })

  it('run as ACL users that own only their namespace on a TLS Redis Cluster with auth', async () => {
    const pipeline = testPipeline('redis-cluster-acl')
    const passwords = { validator: sha256(`${pipeline.prefix}v`), aggregator: sha256(`${pipeline.prefix}a`) }
    const tls = stackRedisTls()
    const adminPassword = sha256(`${pipeline.prefix}admin`)
    const cluster = await startRedisCluster(3, {
      defaultPassword: adminPassword,
      users: [
        {
          name: VALIDATOR,
          passwordSha256: sha256(passwords.validator),
          access: dedupAccess(pipeline.prefix),
        },
        {
          name: AGGREGATOR,
          passwordSha256: sha256(passwords.aggregator),
          access: aggregateStoreAccess(pipeline.prefix),
        },
      ],
      tls,
    })
    try {
      const secrets = mkdtempSync(join(tmpdir(), 'hs-redis-secrets-'))
      const env = (user: string, password: string) => {
        writeFileSync(join(secrets, user), `${password}\n`, { mode: 0o600 })
        return {
          REDIS_URL: cluster.url,
          REDIS_CLUSTER: 'true',
          REDIS_USERNAME: user,
          REDIS_PASSWORD_FILE: join(secrets, user),
          REDIS_TLS_CA_FILE: tls.ca,
        }
      }
      const services = [
        start(pipeline, 'ingest', {}),
        start(pipeline, 'validator', env(VALIDATOR, passwords.validator)),
        start(pipeline, 'aggregator', env(AGGREGATOR, passwords.aggregator)),
      ]
      await Promise.all(services.map((s) => s.start()))
      await runsThrough(pipeline, services[2]!, 12)
      const admin = connectRedis({
        url: cluster.url,
        cluster: true,
        password: adminPassword,
        tls: { ca: readFileSync(tls.ca, 'utf8') },
      }) as Cluster
      try {
        await once(admin, 'ready')
        const windows = await nodeOfKeys(admin, `${pipeline.prefix}:agg:`)
        assert.ok(new Set(windows.values()).size > 1, 'window state on more than one node')
        assert.ok((await nodeOfKeys(admin, `${pipeline.prefix}:dedup:`)).size > 0, 'duplicate marks')
      } finally {
        admin.disconnect()
      }
      await Promise.all(services.map((s) => s.stop()))
      assertNoPasswords(services, Object.values(passwords))
      for (const s of services) assert.deepEqual(s.unexpectedExits, [], s.name)
    } finally {
      await cluster.stop()
    }
  })

  for (const name of ['validator', 'aggregator'] as const) {
    it(`${name}: a wrong password stops start-up with exit 78, naming the variables, never a password`, async () => {
      const pipeline = testPipeline(`redis-wrong-${name}`)
      const wrong = sha256(`${pipeline.prefix}wrong`)
      const env = {
        ...redisEnv(redisUserOf(name), { tls: true }),
        REDIS_PASSWORD_FILE: '',
        REDIS_PASSWORD: wrong,
      }
      const service = start(pipeline, name, env)
      await assert.rejects(service.start(30_000), /exited during start-up/)
      await eventually('the exit', async () => service.unexpectedExits.length > 0, 10_000)
      assert.deepEqual(service.unexpectedExits, [{ code: 78, signal: null }])
      const output = service.lines.join('\n')
      assert.match(output, new RegExp(`${name}: invalid configuration:`))
      assert.match(output, /Redis refused the credentials \(.*REDIS_USERNAME and REDIS_PASSWORD\): WRONGPASS/)
      assertNoPasswords([service], [wrong, ...STACK_PASSWORDS])
    })
  }

  for (const [runtime, command] of [
    ['Bun', () => [endpoint('BUN_BIN')]],
    ['Deno', () => [endpoint('DENO_BIN'), 'run', '--allow-all']],
  ] as const) {
    it(`validator on ${runtime}: connects as its ACL user over TLS, and stops on a wrong password`, async () => {
      const pipeline = testPipeline(`redis-${runtime.toLowerCase()}`)
      const good = start(pipeline, 'validator', redisEnv(VALIDATOR, { tls: true })).onRuntime(command())
      running.push(good)
      await good.start(60_000)
      assert.ok(!good.lines.some((l) => l.includes('redis does not answer')), good.lines.join('\n'))
      await good.stop()
      const env = {
        ...redisEnv(VALIDATOR, { tls: true }),
        REDIS_PASSWORD_FILE: '',
        REDIS_PASSWORD: 'not-it-0123',
      }
      const wrong = start(pipeline, 'validator', env).onRuntime(command())
      await assert.rejects(wrong.start(60_000), /exited during start-up/)
      await eventually('the exit', async () => wrong.unexpectedExits.length > 0, 10_000)
      assert.deepEqual(wrong.unexpectedExits, [{ code: 78, signal: null }])
      assert.match(wrong.lines.join('\n'), /Redis refused the credentials .*WRONGPASS/)
      assertNoPasswords([good, wrong], ['not-it-0123', ...STACK_PASSWORDS])
    })
  }

  it('validator: a user whose ACL does not cover its keys stops it at the first batch, saying so', async () => {
    const pipeline = testPipeline('redis-denied')
    const ingest = start(pipeline, 'ingest', {})
    // The aggregator's user: may touch *:agg:* keys only, not the validator's *:dedup:*
    const validator = start(pipeline, 'validator', redisEnv(AGGREGATOR, { tls: false }))
    await Promise.all([ingest.start(), validator.start()])
    await simulateInto(pipeline, { samples: 50, users: 2, seed: 13, start: Date.now() - 86_400_000 })
    await eventually('the validator to stop', async () => !validator.running, 60_000)
    assert.deepEqual(validator.unexpectedExits, [{ code: 1, signal: null }])
    const fatal = validator.lines.find((l) => l.includes('"level":"fatal"'))
    assert.ok(fatal, validator.lines.slice(-5).join('\n'))
    assert.match(fatal, /Redis refused a command or key to this service's user .*NOPERM/)
    assertNoPasswords([validator, ingest], STACK_PASSWORDS)
  })
})
