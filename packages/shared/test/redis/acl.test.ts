import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, it } from 'node:test'
import { aclUserRule, scriptCommands } from '../../src/redis/acl.ts'
import { dedupAccess } from '../../src/redis/dedup-store.ts'

const HASH = createHash('sha256').update('pw').digest('hex')

describe('scriptCommands', () => {
  it('finds each command a Lua script calls, once, lower-case', () => {
    const lua = `local v = redis.call('GET', KEYS[1])
      redis.pcall("SET", KEYS[1], v) redis.call( 'get', KEYS[2]) redis.call('HSET', k, f, v)`
    assert.deepEqual(scriptCommands(lua), ['get', 'hset', 'set'])
  })
})

describe('dedupAccess', () => {
  it('is the duplicate script, its GET and SET, and the erasure’s SCAN and DEL, on the namespace’s dedup keys', () => {
    assert.deepEqual(dedupAccess('healthstream'), {
      commands: ['evalsha', 'eval', 'get', 'set', 'scan', 'del'],
      keys: ['healthstream:dedup:*'],
    })
  })
})

describe('aclUserRule', () => {
  it('allows the client’s commands and the store’s on its keys, and nothing else', () => {
    assert.equal(
      aclUserRule({ name: 'healthstream-validator', passwordSha256: HASH, access: dedupAccess() }),
      `user healthstream-validator reset on #${HASH} ~healthstream:dedup:* resetchannels -@all ` +
        '+info +ping +quit +evalsha +eval +get +set +scan +del',
    )
  })

  it('adds the slot map, the cluster’s ready check and ASKING for a cluster', () => {
    const rule = aclUserRule({ name: 'v', passwordSha256: HASH, access: dedupAccess(), cluster: true })
    assert.match(rule, / \+cluster\|slots \+cluster\|info \+asking /)
  })

  it('takes only a password hash, so a configuration file holds no password', () => {
    assert.throws(
      () => aclUserRule({ name: 'v', passwordSha256: 'hunter2', access: dedupAccess() }),
      /64 hex digits/,
    )
  })
})
