/**
 * Redis from the Debian package `redis-server`, run in the foreground on 127.0.0.1:16379 with AOF
 * persistence under the stack folder, so a restart keeps every acknowledged write (minus at most ~1 s).
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { createConnection } from 'node:net'
import { join } from 'node:path'
import { aptInstall, onPath } from '../apt.ts'
import { serverDir } from '../paths.ts'
import type { LaunchSpec, StackServer } from '../server.ts'
import { HOST, PORTS } from '../server.ts'
import { requireTool } from '../tools.ts'

const PORT = PORTS.redis
const HINT = "install the Debian package 'redis-server' (apt-get install -y redis-server)"

/** Sends one inline command over RESP and returns the first reply line (e.g. `+PONG`). */
export function respCommand(command: string, port = PORT, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: HOST, port })
    let reply = ''
    const fail = (error: Error): void => {
      socket.destroy()
      reject(error)
    }
    socket.setTimeout(timeoutMs, () => fail(new Error(`no reply to ${command} within ${timeoutMs} ms`)))
    socket.once('error', fail)
    socket.once('connect', () => socket.write(`${command}\r\n`))
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
  ports: [PORT],

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
    // Rewritten on every start so a changed setting here always takes effect; the data stays.
    const config = [
      '# Written by tools/stack/servers/redis.ts; edits are overwritten on the next `up`.',
      `bind ${HOST}`,
      `port ${PORT}`,
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
    writeFileSync(configFile, config)
    return { command: requireTool('redis-server', HINT), args: [configFile], cwd: dir }
  },

  async ready() {
    const reply = await respCommand('PING')
    if (reply !== '+PONG') throw new Error(`redis answered PING with '${reply}'`)
  },

  env() {
    return { REDIS_URL: `redis://${HOST}:${PORT}` }
  },
}
