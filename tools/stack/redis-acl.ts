/**
 * The ACL users of the stack's Redis: one per service (`healthstream-validator`,
 * `healthstream-aggregator`), allowed exactly the commands its code sends (`dedupAccess`,
 * `aggregateStoreAccess`) on its own part of every namespace (`*:dedup:*`, `*:agg:*`: tests use a
 * namespace of their own each; production names one, `docs/redis-security.md`). Passwords are made
 * once and kept one per file under `.stack/redis/acl/<user>` (mode 0600, ready for
 * `REDIS_PASSWORD_FILE`); redis.conf holds only their SHA-256. The `default` user stays as it was, no
 * password, everything: the tests' and tools' admin on a loopback-only server (see the README).
 */
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { aggregateStoreAccess } from '@healthstream/aggregator'
import { type AclUser, aclUserRule, dedupAccess, type RedisAccess } from '@healthstream/shared/redis'
import { serverDir } from './paths.ts'

/** Each service's Redis user and what it may do, in any namespace. */
export const REDIS_USERS: Readonly<Record<string, RedisAccess>> = {
  'healthstream-validator': dedupAccess('*'),
  'healthstream-aggregator': aggregateStoreAccess('*'),
}

/** Where the passwords are, one file per user. */
export const redisAclDir = (): string => join(serverDir('redis'), 'acl')

/** Every user's password, made (128 random bits, hex) the first time it is asked for. */
export function redisPasswords(): ReadonlyMap<string, string> {
  mkdirSync(redisAclDir(), { recursive: true, mode: 0o700 })
  const passwords = new Map<string, string>()
  for (const user of Object.keys(REDIS_USERS)) {
    const file = join(redisAclDir(), user)
    if (!existsSync(file)) writeFileSync(file, randomBytes(16).toString('hex'), { mode: 0o600 })
    passwords.set(user, readFileSync(file, 'utf8').trim())
  }
  return passwords
}

/** The redis.conf lines: `default` as before, then a `user` line per service. */
export function redisAclLines(passwords: ReadonlyMap<string, string>): string[] {
  return [
    'user default on nopass ~* &* +@all',
    ...Object.entries(REDIS_USERS).map(([name, access]) => {
      const password = passwords.get(name)
      if (password === undefined) throw new Error(`no password for the Redis user ${name}`)
      const user: AclUser = { name, passwordSha256: sha256(password), access }
      return aclUserRule(user)
    }),
  ]
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex')
