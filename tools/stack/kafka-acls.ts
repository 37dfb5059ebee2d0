/**
 * The pipeline's ACLs for one TOPIC_PREFIX: each service's principal (`healthstream-<service>`) may
 * read only its input topics and its consumer group, write only its output topics and its own
 * transactional ids, and create the topics it declares (services create missing topics at start;
 * `--no-create` leaves that to an operator). Topics and groups are LITERAL names (`<prefix>health-data-raw`,
 * `<prefix>healthstream-ingest`); transactional ids are PREFIXED (`<prefix>healthstream-ingest-`, the
 * instance id follows). So a test with its own prefix makes its own set and deletes it afterwards.
 * The names are those the service shell gives: `shell.ts` (group), `run-hop.ts` (transactional id).
 *
 *   bash tools/node.sh tools/stack/kafka-acls.ts print|create|delete [--prefix P] [--no-create]
 *
 * `create` and `delete` talk to KAFKA_BROKERS (default: the stack's PLAINTEXT listener, whose
 * ANONYMOUS principal is a super user). `up` creates the set of the empty prefix.
 */

import { createAdmin } from '@healthstream/shared/kafka'
import { topicNames } from '@healthstream/shared/topics'
import {
  type Acl,
  AclOperations,
  AclPermissionTypes,
  type Admin,
  ResourcePatternTypes,
  ResourceTypes,
} from '@platformatic/kafka'
import { principalOf, SERVICES, type ServiceName } from './kafka-sasl.ts'
import { HOST, PORTS } from './server.ts'

export { ADMIN_PRINCIPAL, principalOf, SERVICES, type ServiceName } from './kafka-sasl.ts'

/** One ACL, readable: ALLOW `principal` to do `operation` on the resource, from any host. */
export interface Grant {
  readonly principal: string
  readonly resource: 'TOPIC' | 'GROUP' | 'TRANSACTIONAL_ID'
  readonly name: string
  readonly pattern: 'LITERAL' | 'PREFIXED'
  readonly operation: 'READ' | 'WRITE' | 'CREATE' | 'DESCRIBE'
}

/** What a service reads and writes, with TOPIC_PREFIX applied. */
interface ServiceTopics {
  readonly reads: readonly string[]
  readonly writes: readonly string[]
  /** Writes through transactions (the three hops; the lake-writer commits to Iceberg). */
  readonly transactional: boolean
}

function serviceTopics(prefix: string): Record<ServiceName, ServiceTopics> {
  const t = topicNames(prefix)
  return {
    // ingest also hosts the dead-letter replay: it reads the dead letters and the replay ledger and
    // writes them back to the input topic of the stage that rejected them
    ingest: {
      reads: [t.raw, t.errors, t.replays],
      writes: [t.samples, t.errors, t.raw, t.validated, t.replays],
      transactional: true,
    },
    validator: { reads: [t.samples], writes: [t.validated, t.errors], transactional: true },
    aggregator: { reads: [t.validated], writes: [t.aggregates, t.errors], transactional: true },
    'lake-writer': { reads: [t.validated, t.aggregates, t.errors], writes: [], transactional: false },
  }
}

/** The grants of one service under `prefix`. */
export function serviceGrants(
  prefix: string,
  service: ServiceName,
  options: { create?: boolean } = {},
): Grant[] {
  const { reads, writes, transactional } = serviceTopics(prefix)[service]
  const principal = `User:${principalOf(service)}`
  const topic = (name: string, operation: Grant['operation']): Grant => ({
    principal,
    resource: 'TOPIC',
    name,
    pattern: 'LITERAL',
    operation,
  })
  const grants = [
    ...reads.map((name) => topic(name, 'READ')),
    ...writes.map((name) => topic(name, 'WRITE')),
    ...(options.create === false ? [] : [...reads, ...writes].map((name) => topic(name, 'CREATE'))),
    {
      principal,
      resource: 'GROUP',
      name: `${prefix}healthstream-${service}`,
      pattern: 'LITERAL',
      operation: 'READ',
    } as const,
  ]
  if (!transactional) return grants
  const ids = `${prefix}healthstream-${service}-`
  return [
    ...grants,
    { principal, resource: 'TRANSACTIONAL_ID', name: ids, pattern: 'PREFIXED', operation: 'WRITE' },
  ]
}

/** Every service's grants under `prefix`: the production ACL set. */
export function pipelineGrants(prefix: string, options: { create?: boolean } = {}): Grant[] {
  return SERVICES.flatMap((service) => serviceGrants(prefix, service, options))
}

/** A grant as the Kafka protocol's ACL. */
export function toAcl(grant: Grant): Acl {
  return {
    resourceType: ResourceTypes[grant.resource],
    resourceName: grant.name,
    resourcePatternType: ResourcePatternTypes[grant.pattern],
    principal: grant.principal,
    host: '*',
    operation: AclOperations[grant.operation],
    permissionType: AclPermissionTypes.ALLOW,
  }
}

/** Creates the grants (an existing ACL is left as it is). */
export async function createGrants(admin: Admin, grants: readonly Grant[]): Promise<void> {
  await admin.createAcls({ creations: grants.map(toAcl) })
}

/** Deletes exactly these grants. */
export async function deleteGrants(admin: Admin, grants: readonly Grant[]): Promise<void> {
  if (grants.length > 0) await admin.deleteAcls({ filters: grants.map(toAcl) })
}

/** `kafka-acls.sh`-like lines, one per grant. */
export const describeGrant = (g: Grant): string =>
  `ALLOW ${g.principal} ${g.operation} ${g.resource} ${g.pattern} ${JSON.stringify(g.name)}`

async function main(args: readonly string[]): Promise<number> {
  const [command] = args
  const at = args.indexOf('--prefix')
  const prefix = at >= 0 ? (args[at + 1] ?? '') : ''
  const grants = pipelineGrants(prefix, { create: !args.includes('--no-create') })
  if (command === 'print') {
    for (const grant of grants) console.log(describeGrant(grant))
    return 0
  }
  if (command !== 'create' && command !== 'delete') {
    console.error('usage: kafka-acls.ts print|create|delete [--prefix P] [--no-create]')
    return 2
  }
  const brokers = (process.env.KAFKA_BROKERS ?? `${HOST}:${PORTS.kafka}`).split(',')
  const admin = createAdmin({ bootstrapBrokers: brokers, clientId: 'healthstream-stack-acls' })
  try {
    await (command === 'create' ? createGrants(admin, grants) : deleteGrants(admin, grants))
  } finally {
    await admin.close()
  }
  console.error(
    `kafka: ${command === 'create' ? 'created' : 'deleted'} ${grants.length} ACLs for prefix "${prefix}"`,
  )
  return 0
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: Error) => {
      console.error(`kafka-acls: ${error.message}`)
      process.exit(1)
    },
  )
}
