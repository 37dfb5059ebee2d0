/**
 * Apicurio Registry 3 (a Quarkus app from Maven Central) as the schema registry; services use its
 * Confluent-compatible API. Storage is H2 in a file under .stack rather than the app's default
 * in-memory H2: Kafka keeps its records across `down`/`up`, so the schema ids inside them must
 * keep resolving too.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { findJava, mavenCacheDir, mavenUnpacked } from '../maven.ts'
import { serverDir } from '../paths.ts'
import { httpOk } from '../process.ts'
import { HOST, PORTS, type StackServer } from '../server.ts'

/** 3.3.x ships only as tar.gz (3.0.9's zip cannot be resolved: its parent POM is missing from Central). */
const VERSION = '3.3.3'
const APP_KEY = `apicurio-registry-${VERSION}`
const APP = `io.apicurio:apicurio-registry-app:${VERSION}:tar.gz:all`

const dir = serverDir('registry')
const baseUrl = `http://${HOST}:${PORTS.registry}`
const ccompatUrl = `${baseUrl}/apis/ccompat/v7`

function java(): string {
  return findJava(21) // Apicurio Registry 3.3 is compiled for Java 21
}

export const registry: StackServer = {
  name: 'registry',
  ports: [PORTS.registry],

  async install() {
    java()
    mavenUnpacked(APP_KEY, APP)
  },

  async prepare() {
    const dataDir = join(dir, 'data')
    mkdirSync(dataDir, { recursive: true })
    return {
      command: java(),
      args: [
        '-Xmx512m',
        // Small heap, two cores: the serial collector and C1 only start the app noticeably faster.
        '-XX:+UseSerialGC',
        '-XX:TieredStopAtLevel=1',
        `-Dquarkus.http.host=${HOST}`,
        `-Dquarkus.http.port=${PORTS.registry}`,
        // The management interface (health, metrics) would otherwise listen on 0.0.0.0:9000.
        `-Dquarkus.management.host=${HOST}`,
        '-Dquarkus.management.port=0',
        `-Dapicurio.datasource.url=jdbc:h2:file:${join(dataDir, 'registry')}`,
        // The default pool opens 20 connections at start; a local registry needs a few.
        '-Dapicurio.datasource.jdbc.initial-size=2',
        '-Dapicurio.datasource.jdbc.min-size=2',
        '-Dapicurio.datasource.jdbc.max-size=20',
        '-jar',
        join(mavenCacheDir(APP_KEY), 'quarkus-run.jar'),
      ],
      cwd: dir,
    }
  },

  async ready() {
    const url = `${ccompatUrl}/subjects`
    if (!(await httpOk(url))) throw new Error(`GET ${url} did not answer 200`)
  },

  env() {
    return { SCHEMA_REGISTRY_URL: ccompatUrl }
  },
}
