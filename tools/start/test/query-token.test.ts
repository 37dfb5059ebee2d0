import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { importSPKI, jwtVerify } from 'jose'
import { localQueryAuth } from '../query-token.ts'

describe('npm start and the query API', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hs-start-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  it("configures the aggregator with this run's public key and leaves a reader token only its owner reads", async () => {
    const { env, tokenFile } = await localQueryAuth({}, dir)
    assert.ok(tokenFile)
    assert.equal(statSync(tokenFile).mode & 0o777, 0o600)
    assert.match(env.QUERY_JWT_PUBLIC_KEY ?? '', /^-----BEGIN PUBLIC KEY-----/)
    const key = await importSPKI(env.QUERY_JWT_PUBLIC_KEY!, 'ES256')
    const { payload } = await jwtVerify(readFileSync(tokenFile, 'utf8').trim(), key, {
      issuer: env.QUERY_JWT_ISSUER,
      audience: env.QUERY_JWT_AUDIENCE,
      algorithms: ['ES256'],
    })
    assert.equal(payload.scope, 'healthstream:read-all')
    assert.ok(payload.exp! - payload.iat! <= 24 * 3600)
  })

  for (const own of ['QUERY_AUTH', 'QUERY_JWKS_URL', 'QUERY_JWT_PUBLIC_KEY_FILE']) {
    it(`leaves the query API as the developer configured it with ${own}`, async () => {
      assert.deepEqual(await localQueryAuth({ [own]: 'x' }, dir), { env: {}, tokenFile: undefined })
    })
  }
})
