/**
 * Redis from the Debian package `redis-server`, run in the foreground on 127.0.0.1:16379 with AOF
 * persistence under the stack folder, so a restart keeps every acknowledged write (minus at most ~1 s).
 * Also TLS on 16380 (the stack's server certificate, `../tls.ts`; client certificates are checked when
 * given) and an ACL user per service with a password (`../redis-acl.ts`), on both ports.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createConnection, type Socket } from 'node:net'
import { join } from 'node:path'
import { connect as tlsConnect } from 'node:tls'
import { aptInstall, onPath } from '../apt.ts'
import { serverDir } from '../paths.ts'
import { redisAclDir, redisAclLines, redisPasswords } from '../redis-acl.ts'
import type { LaunchSpec, StackServer } from '../server.ts'
import { HOST, PORTS } from '../server.ts'
import { stackTls, tlsDir } from '../tls.ts'
import { requireTool } from '../tools.ts'

const PORT = PORTS.redis
const TLS_PORT = PORTS.redisTls
const HINT = "install the Debian package 'redis-server' (apt-get install -y redis-server)"

/**
 * Sends one inline command over RESP and returns the first reply line (e.g. `+PONG`); over TLS when
 * given the CA to trust.
 */
export function respCommand(command: string, port = PORT, timeoutMs = 2000, ca?: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket: Socket =
      ca === undefined ? createConnection({ host: HOST, port }) : tlsConnect({ host: HOST, port, ca })
    let reply = ''
    const fail = (error: Error): void => {
      socket.destroy()
      reject(error)
    }
    socket.setTimeout(timeoutMs, () => fail(new Error(`no reply to ${command} within ${timeoutMs} ms`)))
    socket.once('error', fail)
    socket.once(ca === undefined ? 'connect' : 'secureConnect', () => socket.write(`${command}\r\n`))
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8')
      const end = reply.indexOf('\r\n')
      if (end >= 0) {
        socket.end()
        resolve(reply.slice(0, end))
      }
    })
  })
}

export const redis: StackServer = {
  name: 'redis',
  ports: [PORT, TLS_PORT],

  async install() {
    // The package's postinst starts the distro's own redis on 6379 (with systemd); aptInstall stops it.
    if (!onPath('redis-server')) aptInstall('redis', ['redis-server'], 'redis-server', HINT)
    requireTool('redis-server', HINT)
  },

  async prepare(): Promise<LaunchSpec> {
    const dir = serverDir('redis')
    const dataDir = join(dir, 'data')
    mkdirSync(dataDir, { recursive: true })
    const configFile = join(dir, 'redis.conf')
    const tls = stackTls()
    // Rewritten on every start so a changed setting here always takes effect; the data stays.
    const config = [
      '# Written by tools/stack/servers/redis.ts; edits are overwritten on the next `up`.',
      `bind ${HOST}`,
      `port ${PORT}`,
      `tls-port ${TLS_PORT}`,
      `tls-cert-file "${tls.server.cert}"`,
      `tls-key-file "${tls.server.key}"`,
      `tls-ca-cert-file "${tls.ca}"`,
      // Password and ACL authenticate; a client certificate, when one is given, must chain to the CA
      'tls-auth-clients optional',
      ...redisAclLines(redisPasswords()),
      'protected-mode yes',
      'daemonize no',
      'supervised no',
      'logfile ""', // stdout, which the stack sends to .stack/logs/redis.log
      `dir "${dataDir}"`,
      'appendonly yes',
      'appendfsync everysec',
      'save ""', // no RDB snapshots: the AOF alone is the durable copy
      '',
    ].join('\n')
    writeFileSync(configFile, config, { mode: 0o600 })
    return { command: requireTool('redis-server', HINT), args: [configFile], cwd: dir }
  },

  async ready() {
    const reply = await respCommand('PING')
    if (reply !== '+PONG') throw new Error(`redis answered PING with '${reply}'`)
    const tlsReply = await respCommand('PING', TLS_PORT, 2000, readFileSync(join(tlsDir(), 'ca.crt')))
    if (tlsReply !== '+PONG') throw new Error(`redis answered PING over TLS with '${tlsReply}'`)
  },

  env() {
    return {
      REDIS_URL: `redis://${HOST}:${PORT}`,
      REDIS_TLS_URL: `rediss://${HOST}:${TLS_PORT}`,
      REDIS_CA_FILE: join(tlsDir(), 'ca.crt'),
      // The stack's certificates: client.crt/.key for mutual TLS, server.crt/.key for tests' own Redis
      REDIS_TLS_DIR: tlsDir(),
      // One file per ACL user (healthstream-validator, healthstream-aggregator): REDIS_PASSWORD_FILE
      REDIS_ACL_PASSWORDS_DIR: redisAclDir(),
    }
  },
}
