/**
 * Jaeger v2 (Apache-2.0), the OTLP collector the services' traces go to: built once with Go from the
 * module proxy into the cache, run with in-memory storage. Services export to JAEGER_OTLP_URL
 * (`OTEL_EXPORTER_OTLP_ENDPOINT`); tests read traces back from the query API at JAEGER_QUERY_URL
 * (`/api/traces?service=…`). Traces live until the process stops (at most `MAX_TRACES`).
 *
 * `go install …/cmd/jaeger@v1.75.0` is refused (its go.mod has replace directives), so the build goes
 * through a throw-away module that requires it as a tool (`go get -tool`), as the proxy's notes say.
 * Its web UI is not embedded in a source build (the API answers; the UI page is a placeholder).
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { cacheDir, serverDir } from '../paths.ts'
import type { LaunchSpec, StackServer } from '../server.ts'
import { HOST, PORTS } from '../server.ts'
import { requireTool, run } from '../tools.ts'

const VERSION = 'v1.75.0'
const PACKAGE = 'github.com/jaegertracing/jaeger/cmd/jaeger'
const MAX_TRACES = 100_000
const OTLP_URL = `http://${HOST}:${PORTS.jaegerOtlp}`
const QUERY_URL = `http://${HOST}:${PORTS.jaegerQuery}`

/** One folder per version, so bumping VERSION rebuilds instead of reusing an old binary. */
const binDir = join(cacheDir, 'bin', `jaeger-${VERSION}`)
const binary = join(binDir, 'jaeger')

/** Receiver, storage and query on loopback ports only; its own telemetry off (no :8888 listener). */
const config = `service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
    logs:
      level: warn
extensions:
  jaeger_query:
    storage:
      traces: memstore
    http:
      endpoint: ${HOST}:${PORTS.jaegerQuery}
    grpc:
      endpoint: ${HOST}:${PORTS.jaegerQueryGrpc}
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: ${MAX_TRACES}
receivers:
  otlp:
    protocols:
      http:
        endpoint: ${HOST}:${PORTS.jaegerOtlp}
processors:
  batch:
    timeout: 200ms
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
`

export const jaeger: StackServer = {
  name: 'jaeger',
  ports: [PORTS.jaegerOtlp, PORTS.jaegerQuery, PORTS.jaegerQueryGrpc],

  async install() {
    if (existsSync(binary)) return
    const go = requireTool('go', 'install Go >= 1.25 (https://go.dev/dl/) to build Jaeger')
    console.error(`jaeger: building ${VERSION} with go (first run only; measured 4.5 min on 2 cores)`)
    const module = join(cacheDir, 'go', `jaeger-build-${VERSION}`)
    rmSync(module, { recursive: true, force: true })
    mkdirSync(module, { recursive: true })
    writeFileSync(join(module, 'go.mod'), 'module healthstream.local/jaeger\n\ngo 1.25\n')
    const env = {
      // Module and build caches in the stack cache, like versitygw's (s3.ts)
      GOMODCACHE: join(cacheDir, 'go', 'mod'),
      GOCACHE: join(cacheDir, 'go', 'build'),
      GOFLAGS: '-modcacherw',
      CGO_ENABLED: '0',
    }
    run(go, ['get', '-tool', `${PACKAGE}@${VERSION}`], { env, cwd: module })
    mkdirSync(binDir, { recursive: true })
    run(go, ['build', '-ldflags=-s -w', '-o', binary, PACKAGE], { env, cwd: module })
    rmSync(module, { recursive: true, force: true })
    if (!existsSync(binary)) throw new Error(`jaeger: go build finished but ${binary} is missing`)
  },

  async prepare(): Promise<LaunchSpec> {
    const dir = serverDir('jaeger')
    mkdirSync(dir, { recursive: true })
    const file = join(dir, 'config.yaml')
    writeFileSync(file, config)
    return { command: binary, args: ['--config', file], cwd: dir }
  },

  async ready() {
    const response = await fetch(`${QUERY_URL}/api/services`, { signal: AbortSignal.timeout(2000) })
    if (!response.ok) throw new Error(`jaeger: query API answered ${response.status}`)
    // The receiver too: an empty OTLP request is accepted once the pipeline runs
    const otlp = await fetch(`${OTLP_URL}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"resourceSpans":[]}',
      signal: AbortSignal.timeout(2000),
    })
    if (!otlp.ok) throw new Error(`jaeger: OTLP receiver answered ${otlp.status}`)
  },

  env() {
    return { JAEGER_OTLP_URL: OTLP_URL, JAEGER_QUERY_URL: QUERY_URL }
  },
}
