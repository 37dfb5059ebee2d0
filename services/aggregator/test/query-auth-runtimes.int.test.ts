/**
 * The query API's token checks and the body limit on Bun and Deno too (query-auth.int.test.ts runs them
 * on Node.js with data): jose verifies with the runtime's WebCrypto and fetches the key set with its fetch.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import {
  endpoint,
  eventually,
  type ServiceProcess,
  TEST_ADMIN_TOKEN,
  testPipeline,
} from '@healthstream/testkit/stack'
import {
  AUDIENCE,
  ISSUER,
  JwksServer,
  READER_SCOPE,
  type SigningKey,
  signingKey,
  token,
} from './support/issuer.ts'

const RUNTIMES: [string, () => string[]][] = [
  ['Bun', () => [endpoint('BUN_BIN')]],
  ['Deno', () => [endpoint('DENO_BIN'), 'run', '--allow-all']],
]

describe('the query API on other runtimes', { timeout: 240_000 }, () => {
  let jwks: JwksServer
  let issuer: SigningKey
  before(async () => {
    issuer = await signingKey('EdDSA')
    jwks = await JwksServer.start([issuer.jwk])
  })
  after(() => jwks.close())

  for (const [name, command] of RUNTIMES) {
    describe(name, () => {
      let aggregator: ServiceProcess | undefined
      after(() => aggregator?.stop())

      it(`answers 401, 403 and 200 by the token, and 413 to an oversized body, on ${name}`, async () => {
        const pipeline = testPipeline(`query-auth-${name.toLowerCase()}`)
        const env = {
          QUERY_AUTH: 'jwt',
          QUERY_JWKS_URL: jwks.url,
          QUERY_JWT_ISSUER: ISSUER,
          QUERY_JWT_AUDIENCE: AUDIENCE,
          HTTP_BODY_LIMIT: '1024',
        }
        aggregator = pipeline.service('aggregator', env).onRuntime(command())
        await aggregator.start(90_000)
        const get = async (userId: string, jwt?: string) =>
          (
            await aggregator!.fetch(
              `/aggregates/${userId}`,
              jwt ? { headers: { authorization: `Bearer ${jwt}` } } : {},
            )
          ).status
        assert.equal(await get('u-1'), 401)
        assert.equal(await get('u-1', await token(issuer, { subject: 'u-1', expiresIn: -120 })), 401)
        assert.equal(await get('u-2', await token(issuer, { subject: 'u-1' })), 403)
        assert.equal(await get('u-1', await token(issuer, { subject: 'u-1' })), 200)
        assert.equal(await get('u-2', await token(issuer, { subject: 'svc', scope: READER_SCOPE })), 200)
        const post = await aggregator.fetch('/admin/pause', {
          method: 'POST',
          headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
          body: 'x'.repeat(2048),
        })
        assert.equal(post.status, 413)
        const audited = () => aggregator!.lines.filter((l) => l.includes('"msg":"query access"')).length
        await eventually('an audit line per query', async () => audited() === 5, 5_000)
      })
    })
  }
})
