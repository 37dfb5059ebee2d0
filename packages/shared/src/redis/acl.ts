/**
 * What each service may do in Redis, as data: the commands it sends and the keys it touches, so a
 * Redis ACL can allow exactly that (the local stack and the test cluster build theirs from it; an
 * operator writes the same lines, `docs/redis-security.md`). Pure: no client here.
 */

/** The commands and key patterns (Redis globs) one Redis user is allowed. */
export interface RedisAccess {
  /** Lower-case command names, `container|subcommand` for one subcommand (`cluster|slots`). */
  readonly commands: readonly string[]
  /** Key patterns, e.g. `healthstream:dedup:*`. */
  readonly keys: readonly string[]
}

/**
 * What every ioredis client sends beside its own commands: the ready check (`INFO`), `PING`, `QUIT`.
 * Scripts run as `EVALSHA`, and as `EVAL` once after Redis lost its script cache (`NOSCRIPT`); a
 * script can only call what the user may call itself, so `EVAL` widens nothing.
 */
export const CLIENT_COMMANDS: readonly string[] = ['info', 'ping', 'quit']

/** With REDIS_CLUSTER: the slot map, the cluster's ready check, and `ASKING` during a resharding. */
export const CLUSTER_COMMANDS: readonly string[] = ['cluster|slots', 'cluster|info', 'asking']

/** The commands a Lua script calls (`redis.call('GET', …)`, `redis.pcall(…)`), lower-case, once each. */
export function scriptCommands(lua: string): string[] {
  const found = new Set<string>()
  for (const m of lua.matchAll(/redis\.p?call\(\s*['"]([A-Za-z]+)['"]/g)) found.add(m[1]!.toLowerCase())
  return [...found].sort()
}

/** The rules of one ACL user. */
export interface AclUser {
  readonly name: string
  /** SHA-256 of the password, hex: the configuration file then holds no password (`#<hash>`). */
  readonly passwordSha256: string
  readonly access: RedisAccess
  /** Adds `CLUSTER_COMMANDS`. */
  readonly cluster?: boolean
}

/**
 * The `user` line of redis.conf (or the arguments of `ACL SETUSER`) for `user`: everything reset,
 * then on, its password, its key patterns, no Pub/Sub channels, no command but the client's and its
 * own.
 */
export function aclUserRule(user: AclUser): string {
  if (!/^[0-9a-f]{64}$/.test(user.passwordSha256))
    throw new RangeError('passwordSha256 must be 64 hex digits')
  if (/\s/.test(user.name) || user.name === '') throw new RangeError(`invalid ACL user name '${user.name}'`)
  const commands = new Set([
    ...CLIENT_COMMANDS,
    ...(user.cluster ? CLUSTER_COMMANDS : []),
    ...user.access.commands,
  ])
  return [
    `user ${user.name} reset on #${user.passwordSha256}`,
    ...user.access.keys.map((k) => `~${k}`),
    'resetchannels -@all',
    ...[...commands].map((c) => `+${c}`),
  ].join(' ')
}
