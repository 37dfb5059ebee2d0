/**
 * PostgreSQL from the Debian package `postgresql`, run in the foreground on 127.0.0.1:15432 (TCP
 * only, no Unix socket) with its cluster under the stack folder, made by `initdb` on first start.
 * It holds the SQL catalog's tables when the lake-writer is pointed at it
 * (LAKE_CATALOG_URI=$LAKE_POSTGRES_URL). PostgreSQL refuses to run as root: as root (CI) the
 * cluster belongs to the package's `postgres` user and every binary runs as that user (setpriv).
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chownSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { aptInstall } from '../apt.ts'
import { serverDir, stackDir } from '../paths.ts'
import type { LaunchSpec, StackServer } from '../server.ts'
import { HOST, PORTS } from '../server.ts'
import { requireTool, run } from '../tools.ts'

const PORT = PORTS.postgres
const HINT = "install the Debian package 'postgresql' (apt-get install -y postgresql)"
/** Role, password and database of the stack's catalog (loopback only, like the other servers). */
const USER = 'healthstream'
const PASSWORD = 'healthstream'
const DATABASE = 'healthstream'
/** The account that owns the cluster when the stack runs as root. */
const SERVICE_USER = 'postgres'

/** The newest `/usr/lib/postgresql/<major>/bin` (Debian's layout), else where `postgres` is on PATH. */
function binDir(): string | undefined {
  const root = '/usr/lib/postgresql'
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : []
  if (majors[0] !== undefined) return join(root, majors[0], 'bin')
  try {
    return join(requireTool('postgres', HINT), '..')
  } catch {
    return undefined
  }
}

function bin(name: string): string {
  const dir = binDir()
  if (dir === undefined) throw new Error(`postgres: no PostgreSQL server binaries found: ${HINT}`)
  return join(dir, name)
}

const asRoot = (): boolean => process.getuid?.() === 0

/** The command line that runs `command` as the cluster's owner (unchanged when not root). */
function asOwner(command: string, args: readonly string[]): [string, string[]] {
  if (!asRoot()) return [command, [...args]]
  const setpriv = requireTool('setpriv', "install util-linux (it provides 'setpriv')")
  return [
    setpriv,
    [`--reuid=${SERVICE_USER}`, `--regid=${SERVICE_USER}`, '--init-groups', '--', command, ...args],
  ]
}

/** Gives `path` to the cluster's owner when running as root (PostgreSQL checks its data folder's owner). */
function ownedByOwner(path: string): void {
  if (!asRoot()) return
  const id = (flag: string): number => {
    try {
      return Number(execFileSync('id', [flag, SERVICE_USER], { encoding: 'utf8' }).trim())
    } catch (error) {
      throw new Error(`postgres: as root the cluster needs the '${SERVICE_USER}' user: ${HINT}`, {
        cause: error,
      })
    }
  }
  chownSync(path, id('-u'), id('-g'))
}

/**
 * Where the cluster lives: `<stack>/postgres/data`. As root, when the service user cannot reach that
 * folder (a checkout under /root, mode 700), under its own home instead, one folder per stack.
 */
function clusterDir(): string {
  const preferred = join(serverDir('postgres'), 'data')
  if (!asRoot()) return preferred
  const [cmd, args] = asOwner('test', ['-x', serverDir('postgres')])
  if (spawnSync(cmd, args, { stdio: 'ignore' }).status === 0) return preferred
  const id = createHash('sha256').update(stackDir).digest('hex').slice(0, 12)
  const fallback = join('/var/lib/postgresql', `healthstream-${id}`)
  mkdirSync(fallback, { recursive: true, mode: 0o700 })
  ownedByOwner(fallback)
  console.error(`postgres: '${SERVICE_USER}' cannot reach ${preferred}; the cluster lives in ${fallback}`)
  return join(fallback, 'data')
}

/** Creates the cluster on first start (a folder without PG_VERSION is a half-made one: made again). */
function initCluster(dataDir: string): void {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return
  rmSync(dataDir, { recursive: true, force: true })
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  ownedByOwner(dataDir)
  const pwFile = join(dataDir, '..', 'initdb-password')
  writeFileSync(pwFile, `${PASSWORD}\n`, { mode: 0o600 })
  ownedByOwner(pwFile)
  try {
    const [cmd, args] = asOwner(bin('initdb'), [
      '--pgdata',
      dataDir,
      '--username',
      USER,
      `--pwfile=${pwFile}`,
      '--auth=scram-sha-256',
      '--encoding=UTF8',
      '--no-locale',
      '--no-instructions',
    ])
    run(cmd, args)
  } finally {
    rmSync(pwFile, { force: true })
  }
}

/** Runs one statement with psql against `database`; resolves to its unaligned output. */
export function psql(sql: string, database = 'postgres', timeoutMs = 5000): Promise<string> {
  const args = ['-h', HOST, '-p', String(PORT), '-U', USER, '-d', database, '-tAX', '-v', 'ON_ERROR_STOP=1']
  return new Promise((resolve, reject) => {
    execFile(
      bin('psql'),
      [...args, '-c', sql],
      { timeout: timeoutMs, env: { ...process.env, PGPASSWORD: PASSWORD, PGCONNECT_TIMEOUT: '3' } },
      (error, stdout, stderr) =>
        error ? reject(new Error(stderr.trim() || error.message)) : resolve(stdout.trim()),
    )
  })
}

export const postgresServer: StackServer = {
  name: 'postgres',
  ports: [PORT],

  async install() {
    if (binDir() === undefined) aptInstall('postgres', ['postgresql'], 'postgresql', HINT)
    bin('postgres')
  },

  async prepare(): Promise<LaunchSpec> {
    const dir = serverDir('postgres')
    mkdirSync(dir, { recursive: true })
    const dataDir = clusterDir()
    initCluster(dataDir)
    // Settings on the command line, so a changed one here always takes effect; the data stays.
    const [command, args] = asOwner(bin('postgres'), [
      '-D',
      dataDir,
      '-c',
      `listen_addresses=${HOST}`,
      '-c',
      `port=${PORT}`,
      '-c',
      'unix_socket_directories=', // TCP only: no socket folder to create or own
      '-c',
      'logging_collector=off', // stderr, which the stack sends to .stack/logs/postgres.log
    ])
    return { command, args, cwd: dir }
  },

  async ready() {
    const reply = await psql('SELECT 1')
    if (reply !== '1') throw new Error(`postgres answered SELECT 1 with '${reply}'`)
  },

  async afterStart() {
    const exists = await psql(`SELECT 1 FROM pg_database WHERE datname = '${DATABASE}'`)
    if (exists !== '1') await psql(`CREATE DATABASE ${DATABASE}`)
  },

  env() {
    return { LAKE_POSTGRES_URL: `postgresql://${USER}:${PASSWORD}@${HOST}:${PORT}/${DATABASE}` }
  },
}
