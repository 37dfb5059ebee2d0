/**
 * Would the production overlay's pods start? Each rendered Deployment's container spec — numeric
 * user and fsGroup, read-only root, every capability dropped, no privilege escalation, its declared
 * volumes only, its environment from the rendered ConfigMap and the Secrets
 * the README's commands create (admin token, Redis URL, catalog URI and S3 keys; files through `*_FILE`) — is run in podman with
 * the service's image against the local stack, and must become ready on its readiness probe, answer its
 * liveness probe, and stop by itself within its grace period.
 *
 * Kafka is the stack's SASL_SSL listener, each pod its own principal under the production ACLs
 * (created for this run's prefix), the password and CA from the Secret; Redis is the stack's TLS port,
 * each pod its ACL user. What differs from a cluster, and only that: where the servers are (the
 * cluster's Service names → the local stack's addresses, S3 path-style for versitygw), the HTTP port
 * (pods share the host's network here), and a topic/Redis/lake prefix that keeps this run apart.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { createAdmin } from '@healthstream/shared/kafka'
import {
  endpoint,
  freePort,
  projectRoot,
  redisPassword,
  redisUserOf,
  saslSslConnection,
  stackPassword,
  testPipeline,
  uniqueName,
} from '@healthstream/testkit/stack'
import { type Captured, capture, down, succeeded, toolchainEnv, up } from '@healthstream/tools/containers'
import { kustomizeBuild } from '@healthstream/tools/k8s'
import {
  ADMIN_PRINCIPAL,
  createGrants,
  deleteGrants,
  pipelineGrants,
  principalOf,
  SERVICES,
} from '@healthstream/tools/stack/kafka-acls'
import { type Deployment, parseManifests, podmanRun } from './pod-spec.ts'
import { readmeDeployCommands } from './readme-commands.ts'

const ADMIN_TOKEN = 'k8s-pod-test-token-9f3a1c7e'
let env: Record<string, string> = {}
let startedHere: readonly string[] = []
const secretDir = mkdtempSync(join(tmpdir(), 'hs-k8s-secrets-'))
const pipeline = testPipeline('k8s-pods')

const podman = (args: readonly string[], timeoutMs = 120_000): Captured =>
  capture('podman', args, { env, timeoutMs })

/** The stack's credentials, under the Secret names and keys the README's commands create. */
const stackSecretValues: Record<string, string> = {
  'healthstream-admin/token': ADMIN_TOKEN,
  'healthstream-credentials/redis-ca.crt': readFileSync(endpoint('REDIS_CA_FILE'), 'utf8'),
  'healthstream-credentials/validator-redis-password': redisPassword(redisUserOf('validator')),
  'healthstream-credentials/aggregator-redis-password': redisPassword(redisUserOf('aggregator')),
  'healthstream-credentials/catalog-uri': endpoint('LAKE_POSTGRES_URL'),
  'healthstream-credentials/s3-access-key-id': endpoint('S3_ACCESS_KEY_ID'),
  'healthstream-credentials/s3-secret-access-key': endpoint('S3_SECRET_ACCESS_KEY'),
  'healthstream-kafka/ca.crt': readFileSync(endpoint('KAFKA_SASL_SSL_CA_FILE'), 'utf8'),
  ...Object.fromEntries(
    SERVICES.map((name) => [`healthstream-kafka/${name}-password`, stackPassword(principalOf(name))]),
  ),
}
/** The Secrets exactly as the README creates them (healthstream-registry, optional, it does not). */
const secrets = new Map(
  [...readmeDeployCommands(projectRoot).secrets].map(([name, keys]) => [
    name,
    Object.fromEntries(
      keys.map((key) => {
        const value = stackSecretValues[`${name}/${key}`]
        if (value === undefined) throw new Error(`the README creates ${name}/${key}: no stack value for it`)
        return [key, value]
      }),
    ),
  ]),
)

/** The production ACLs for this run's prefix, as the super user: the pods authenticate as themselves. */
const kafkaAdmin = createAdmin(saslSslConnection(ADMIN_PRINCIPAL, 'k8s-pods-admin'))
const grants = pipelineGrants(pipeline.prefix)

before(async () => {
  startedHere = (await up()).started
  env = toolchainEnv()
  await createGrants(kafkaAdmin, grants)
})
after(async () => {
  rmSync(secretDir, { recursive: true, force: true })
  await deleteGrants(kafkaAdmin, grants)
  await kafkaAdmin.close()
  if (startedHere.length > 0) await down()
})

describe('the production overlay, run as a kubelet would', { timeout: 900_000 }, () => {
  const resources = parseManifests(kustomizeBuild(join(projectRoot, 'k8s', 'overlays', 'production')))
  const deployments = resources.filter((r): r is Deployment & typeof r => r.kind === 'Deployment')

  it('renders the four Deployments, none with a replica count the autoscaler would fight', () => {
    assert.deepEqual(deployments.map((d) => d.metadata.name).sort(), [
      'aggregator',
      'ingest',
      'lake-writer',
      'validator',
    ])
    for (const d of deployments) assert.equal(d.spec.replicas, undefined, d.metadata.name)
  })

  for (const deployment of deployments) {
    const service = deployment.metadata.name
    describe(service, () => {
      const image = `localhost/healthstream-${service}:test`
      const podName = uniqueName(`${service}-pod`)
      before(() => {
        const args = ['build', '--network', 'host', '--pull=never', '--format', 'docker']
        succeeded(podman([...args, '--build-arg', `SERVICE=${service}`, '-t', image, projectRoot], 600_000))
      })
      after(() => podman(['rm', '-f', podName]))

      it('becomes ready, stays alive, and stops by itself within its grace period', async () => {
        const port = await freePort()
        const run = podmanRun(deployment, resources, {
          podName,
          image,
          secrets,
          secretDir,
          substitute: (rendered) => infrastructure(rendered, port),
        })
        // the secrets reach the service as files, not as values in its environment
        assert.equal(run.env.ADMIN_TOKEN, undefined)
        assert.equal(run.env.ADMIN_TOKEN_FILE, '/var/run/secrets/healthstream/admin-token')
        succeeded(podman(run.args))
        const logs = (): string => {
          const out = podman(['logs', podName])
          return (out.stdout + out.stderr).slice(-3000)
        }
        const ready = await answers(port, run.readinessPath, 180_000).catch((error: Error) => {
          throw new Error(`${error.message}\n${logs()}`)
        })
        assert.match(ready, /"ready":true/)
        assert.match(await answers(port, run.livenessPath, 5_000), /"status":"ok"/)

        const user = succeeded(podman(['exec', podName, 'id']))
        assert.match(user, /^uid=1000\b.*gid=1000\b.*groups=.*\b1000\b/)
        const root = podman(['exec', podName, 'sh', '-c', 'touch /app/x'])
        assert.notEqual(root.status, 0, 'the root filesystem is read-only')
        succeeded(podman(['exec', podName, 'sh', '-c', 'touch /tmp/x']))

        succeeded(podman(['stop', '--time', String(run.gracePeriodSeconds), podName], 90_000))
        const exit = succeeded(podman(['inspect', '--format', '{{.State.ExitCode}}', podName]))
        assert.equal(exit, '0', logs())
      })
    })
  }
})

/** The rendered environment with this machine's servers in place of the cluster's. */
function infrastructure(rendered: Record<string, string>, port: number): Record<string, string> {
  const local: Record<string, string> = {
    KAFKA_BROKERS: endpoint('KAFKA_SASL_SSL_BROKERS'),
    REDIS_URL: endpoint('REDIS_TLS_URL'),
    SCHEMA_REGISTRY_URL: endpoint('SCHEMA_REGISTRY_URL'),
    HTTP_PORT: String(port),
    HTTP_HOST: '127.0.0.1',
    TOPIC_PREFIX: pipeline.prefix,
    REDIS_NAMESPACE: pipeline.prefix,
  }
  if (rendered.LAKE_WAREHOUSE !== undefined) {
    Object.assign(local, {
      LAKE_WAREHOUSE: `s3://${endpoint('S3_BUCKET')}/${pipeline.prefix.replace(/\.$/, '')}`,
      LAKE_NAMESPACE: pipeline.prefix.replace(/[^a-z0-9_]/gi, '_').replace(/_$/, ''),
      S3_ENDPOINT: endpoint('S3_ENDPOINT'),
      S3_REGION: endpoint('S3_REGION'),
      S3_PATH_STYLE: 'true',
    })
  }
  for (const key of Object.keys(local)) {
    const isAddition = ['HTTP_HOST', 'TOPIC_PREFIX', 'REDIS_NAMESPACE', 'S3_ENDPOINT', 'LAKE_NAMESPACE']
    if (!(key in rendered) && !isAddition.includes(key)) throw new Error(`${key} is not in the rendered env`)
  }
  return { ...rendered, ...local }
}

async function answers(port: number, path: string, ms: number): Promise<string> {
  const deadline = Date.now() + ms
  let last = 'no answer'
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}${path}`)
      last = `${response.status} ${await response.text()}`
      if (response.ok) return last
    } catch (error) {
      last = (error as Error).message
    }
    await sleep(500)
  }
  throw new Error(`${path} did not answer 200 within ${ms} ms: ${last}`)
}
