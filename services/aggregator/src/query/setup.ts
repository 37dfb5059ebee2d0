/**
 * The query API as the composition root wires it: the checks between its configuration keys, its access
 * rule (bearer JWTs, or none with QUERY_AUTH=off) and its audit lines.
 */
import type { ConfigOf, Logger } from '@healthstream/shared/platform'
import type { Hono } from 'hono'
import type { queryConfig } from '../config.ts'
import type { AggregateStore } from '../windows/store.ts'
import { openAccess, type QueryAccess, tokenAccess } from './access.ts'
import { jwtVerifier } from './jwt-verifier.ts'
import { usableAlgorithms } from './keys.ts'
import { aggregateRoutes } from './routes.ts'

export type QueryConfig = ConfigOf<typeof queryConfig>

/**
 * With authentication on (the default) the service needs the issuer's keys, from one place, and the
 * audience: a key set usually signs tokens for many APIs, and only `aud` says a token is for this one.
 */
export function queryConfigProblems(config: QueryConfig): string[] {
  if (!config.QUERY_ENABLED || config.QUERY_AUTH === 'off') return []
  const problems: string[] = []
  const keys = config.QUERY_JWT_PUBLIC_KEY
  const url = config.QUERY_JWKS_URL !== ''
  if (!url && keys === null) {
    problems.push(
      "QUERY_JWKS_URL or QUERY_JWT_PUBLIC_KEY is required: the issuer's keys that verify the bearer tokens of " +
        'GET /aggregates (or QUERY_AUTH=off, for local development only; or QUERY_ENABLED=false: no query API)',
    )
  }
  if (url && keys !== null) problems.push('set QUERY_JWKS_URL or QUERY_JWT_PUBLIC_KEY, not both')
  if (config.QUERY_JWT_AUDIENCE.length === 0) {
    problems.push(
      'QUERY_JWT_AUDIENCE is required with QUERY_AUTH=jwt: the aud this API accepts, so that tokens the ' +
        'same issuer signs for other services are refused',
    )
  }
  if (config.QUERY_JWT_ISSUER.length === 0) {
    problems.push(
      'QUERY_JWT_ISSUER is required with QUERY_AUTH=jwt: the iss this API accepts, since a sub names a ' +
        'user only within its issuer (and one key set may sign for many tenants)',
    )
  }
  if (keys !== null && usableAlgorithms(keys, config.QUERY_JWT_ALGORITHMS).length === 0) {
    problems.push(
      `QUERY_JWT_PUBLIC_KEY: no key verifies any of QUERY_JWT_ALGORITHMS (${config.QUERY_JWT_ALGORITHMS.join(', ')})`,
    )
  }
  return problems
}

/** Adds `GET /aggregates/:userId` to the service's app; undefined with QUERY_ENABLED=false. */
export function queryRoutes(
  config: QueryConfig,
  store: AggregateStore,
  logger: Logger,
): ((app: Hono) => void) | undefined {
  if (!config.QUERY_ENABLED) return undefined
  const access = queryAccess(config, logger)
  // At info whatever LOG_LEVEL says: turning the logs down must not turn the audit off
  const audit = logger.child({ audit: 'query' }, { level: 'info' })
  const routes = aggregateRoutes({
    store,
    access,
    audit: (entry) => audit.info(entry, 'query access'),
    readerScope: config.QUERY_READER_SCOPE,
  })
  return (app) => void app.route('/', routes)
}

function queryAccess(config: QueryConfig, logger: Logger): QueryAccess {
  if (config.QUERY_AUTH === 'off') {
    logger.warn(
      'QUERY_AUTH=off: GET /aggregates/:userId answers anyone, for every user (local development only)',
    )
    return openAccess
  }
  const jwks = config.QUERY_JWT_PUBLIC_KEY
  const keys = jwks !== null ? { jwks } : { jwksUrl: config.QUERY_JWKS_URL }
  const algorithms =
    jwks !== null ? usableAlgorithms(jwks, config.QUERY_JWT_ALGORITHMS) : config.QUERY_JWT_ALGORITHMS
  const issuers = config.QUERY_JWT_ISSUER
  const audiences = config.QUERY_JWT_AUDIENCE
  logger.info(
    {
      keys: jwks !== null ? `${jwks.keys.length} configured` : config.QUERY_JWKS_URL,
      issuers,
      audiences,
      algorithms,
    },
    'query API: bearer JWTs required',
  )
  const verifier = jwtVerifier({
    keys,
    issuers,
    audiences,
    algorithms,
    clockToleranceSeconds: config.QUERY_JWT_CLOCK_TOLERANCE / 1000,
    onKeySetError: (err) => logger.warn({ err }, 'query API: the JWK Set cannot be fetched; answering 503'),
  })
  return tokenAccess(verifier, config.QUERY_READER_SCOPE)
}
