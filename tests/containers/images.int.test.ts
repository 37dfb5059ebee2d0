/**
 * The four service images, built from the repository's Dockerfile with podman and run the way the
 * README and k8s/ run them: numeric non-root user, read-only root, every capability dropped. Each
 * holds exactly the workspaces its service reaches (a missing one fails here, and the service could
 * not start either), becomes ready against the local stack, and stops on SIGTERM by itself: exit 0
 * after its "stopped" line, not a kill when the grace period ran out.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  freePort,
  projectRoot,
  SERVICE_NODE_FLAGS,
  testPipeline,
  uniqueName,
} from '@healthstream/testkit/stack'
import {
  type Captured,
  capture,
  closure,
  down,
  succeeded,
  toolchainEnv,
  up,
} from '@healthstream/tools/containers'

const SERVICES = ['ingest', 'validator', 'aggregator', 'lake-writer'] as const
const ADMIN_TOKEN = 'image-test-token-0123456789'
let env: Record<string, string> = {}
let startedHere: readonly string[] = []

const podman = (args: readonly string[], timeoutMs = 120_000): Captured =>
  capture('podman', args, { env, timeoutMs })

async function readyWithin(port: number, ms: number): Promise<string> {
  const deadline = Date.now() + ms
  let last = 'no answer'
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/readyz`)
      last = await response.text()
      if (response.ok) return last
    } catch (error) {
      last = (error as Error).message
    }
    await sleep(500)
  }
  throw new Error(`not ready within ${ms} ms: ${last}`)
}

before(async () => {
  startedHere = (await up()).started
  env = toolchainEnv()
})
after(async () => {
  if (startedHere.length > 0) await down()
})

for (const service of SERVICES) {
  describe(`the ${service} image`, { timeout: 400_000 }, () => {
    const image = `localhost/healthstream-${service}:test`
    const container = uniqueName(`hs-${service}`)
    const volume = `${container}-data`
    before(() => {
      const args = ['build', '--network', 'host', '--pull=never', '--format', 'docker']
      succeeded(podman([...args, '--build-arg', `SERVICE=${service}`, '-t', image, projectRoot], 600_000))
    })
    after(() => {
      podman(['rm', '-f', container])
      podman(['volume', 'rm', '-f', volume])
    })

    it('holds exactly the workspaces the service reaches, without tests', () => {
      const listing = succeeded(
        podman(['run', '--rm', '--entrypoint', 'sh', image, '-c', 'cd /app && ls -d packages/* services/*']),
      )
      assert.deepEqual(listing.split(/\s+/).sort(), closure(projectRoot, service).sort())
      const tests = succeeded(
        podman([
          'run',
          '--rm',
          '--entrypoint',
          'sh',
          image,
          '-c',
          "find /app -path /app/node_modules -prune -o -name '*.test.ts' -print",
        ]),
      )
      assert.equal(tests, '', 'no test files of ours')
    })

    it('declares a numeric non-root user and a health check on /readyz', () => {
      const inspected = JSON.parse(succeeded(podman(['image', 'inspect', image])))[0] as {
        Config: { User: string; Healthcheck?: { Test: string[] } }
        Healthcheck?: { Test: string[] }
      }
      assert.match(inspected.Config.User, /^[1-9]\d*(:\d+)?$/)
      // podman keeps the health check beside the config, Docker inside it
      const check = inspected.Healthcheck ?? inspected.Config.Healthcheck
      assert.match(check?.Test.join(' ') ?? '', /\/readyz/)
    })

    it('becomes ready read-only without capabilities, and stops on SIGTERM by itself', async () => {
      const port = await freePort()
      const pipeline = testPipeline(`image-${service}`)
      const settings = { ...pipeline.env, ADMIN_TOKEN, HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1' }
      const flags = ['--read-only', '--cap-drop=ALL', '--security-opt=no-new-privileges', '--network', 'host']
      const envFlags = Object.entries(settings).flatMap(([k, v]) => ['-e', `${k}=${v}`])
      succeeded(
        podman(['run', '-d', '--name', container, ...flags, '-v', `${volume}:/data`, ...envFlags, image]),
      )
      const ready = await readyWithin(port, 120_000).catch((error: Error) => {
        throw new Error(`${error.message}\n${podman(['logs', container]).stderr.slice(-3000)}`)
      })
      assert.match(ready, /"ready":true/)
      // The service allocates through jemalloc (LD_PRELOAD), not glibc's malloc
      const mapped = succeeded(
        podman([
          'exec',
          container,
          'sh',
          '-c',
          // By its command line: Node 24 names its main thread "MainThread", not "node"
          `for d in /proc/[0-9]*; do case "$(tr '\\0' ' ' < $d/cmdline)" in node*) grep -c libjemalloc $d/maps;; esac; done; true`,
        ]),
      )
      assert.ok(Number(mapped) > 0, `libjemalloc mapped in the node process (${mapped} mappings)`)
      // …and with the services' Node flags, as tests and `npm start` run them
      const nodes = succeeded(
        podman([
          'exec',
          container,
          'sh',
          '-c',
          `for d in /proc/[0-9]*; do c="$(tr '\\0' ' ' < $d/cmdline)"; case "$c" in node*) echo "$c";; esac; done; true`,
        ]),
      )
      const main = nodes.split('\n').find((line) => line.includes(`services/${service}/src/main.ts`))
      assert.equal(main?.trim(), `node ${SERVICE_NODE_FLAGS.join(' ')} services/${service}/src/main.ts`)
      const user = succeeded(podman(['inspect', '--format', '{{.Config.User}}', container]))
      assert.match(user, /^1000/)
      const started = Date.now()
      succeeded(podman(['stop', '--time', '40', container], 60_000))
      const exit = succeeded(podman(['inspect', '--format', '{{.State.ExitCode}}', container]))
      const logs = podman(['logs', container])
      assert.equal(exit, '0', `exit ${exit} after ${Date.now() - started} ms:\n${logs.stdout.slice(-2000)}`)
      assert.match(logs.stdout + logs.stderr, /"msg":"stopped"/)
    })
  })
}
