/**
 * Apache Iceberg's REST catalog fixture (the server behind the apache/iceberg-rest-fixture image):
 * a JdbcCatalog on SQLite behind the REST API, tables in a local warehouse folder. The fixture jar
 * on Maven Central is self-contained (shadow jar); a small launcher compiled against it binds the
 * server to 127.0.0.1, which the fixture's own main cannot do.
 */
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fillOnce, findJava, mavenArtifact, mavenCacheDir } from '../maven.ts'
import { serverDir } from '../paths.ts'
import { httpOk } from '../process.ts'
import { HOST, PORTS, type StackServer } from '../server.ts'
import { requireTool, run } from '../tools.ts'

const VERSION = '1.10.1'
const FIXTURE = `org.apache.iceberg:iceberg-open-api:${VERSION}`
const FIXTURE_KEY = `iceberg-open-api-${VERSION}`
const LAUNCHER_SOURCE = join(import.meta.dirname, 'LoopbackRESTCatalogServer.java')
const LAUNCHER_CLASS = 'org.apache.iceberg.rest.LoopbackRESTCatalogServer'

const dir = serverDir('iceberg-rest')
const warehouse = join(dir, 'warehouse')
const catalogDb = join(dir, 'catalog.sqlite')
const baseUrl = `http://${HOST}:${PORTS.icebergRest}`

const fixtureJar = (): string => join(mavenCacheDir(FIXTURE_KEY), `iceberg-open-api-${VERSION}.jar`)

/** Compiled classes live under a key that changes with the launcher source and the fixture version. */
function launcherDir(): string {
  const hash = createHash('sha256')
    .update(readFileSync(LAUNCHER_SOURCE))
    .update(VERSION)
    .digest('hex')
    .slice(0, 12)
  return mavenCacheDir(`iceberg-rest-launcher-${hash}`)
}

function java(): string {
  return findJava(17) // Iceberg 1.10 runs on Java 11+; 17 is the stack's baseline
}

export const icebergRest: StackServer = {
  name: 'iceberg-rest',
  ports: [PORTS.icebergRest],

  async install() {
    const jar = mavenArtifact(FIXTURE_KEY, FIXTURE)
    fillOnce(launcherDir(), `${LAUNCHER_CLASS} for ${FIXTURE}`, (partial) => {
      console.error('iceberg-rest: compiling the loopback launcher (first run only)')
      const javac = join(dirname(java()), 'javac')
      requireTool(
        javac,
        'the Iceberg REST launcher is compiled once: install a JDK (not only a JRE), e.g. openjdk-17-jdk-headless',
      )
      run(javac, ['--release', '17', '-nowarn', '-cp', jar, '-d', partial, LAUNCHER_SOURCE])
    })
  },

  async prepare() {
    mkdirSync(warehouse, { recursive: true })
    return {
      command: java(),
      args: [
        '-Xmx512m',
        '-XX:+UseSerialGC',
        `-Drest.host=${HOST}`,
        '-cp',
        `${launcherDir()}:${fixtureJar()}`,
        LAUNCHER_CLASS,
      ],
      // The fixture reads its catalog properties from CATALOG_* variables (CATALOG_FOO_BAR -> foo.bar,
      // CATALOG_FOO__BAR -> foo-bar). SQLite in a file keeps the catalog across restarts, like the warehouse.
      env: {
        CATALOG_WAREHOUSE: warehouse,
        CATALOG_URI: `jdbc:sqlite:file:${catalogDb}`,
        CATALOG_REST_PORT: String(PORTS.icebergRest),
      },
      cwd: dir,
    }
  },

  async ready() {
    const url = `${baseUrl}/v1/config`
    if (!(await httpOk(url))) throw new Error(`GET ${url} did not answer 200`)
  },

  env() {
    return { ICEBERG_REST_URI: baseUrl, ICEBERG_REST_WAREHOUSE: warehouse }
  },
}
