/**
 * Integration test of the container toolchain against real podman (runc) and a docker-compose built
 * here. `up()` installs or builds whatever is missing (seconds when cached), so a fresh machine gets
 * a real run too; anything that cannot be had fails the test, nothing is skipped.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { type Captured, capture, succeeded } from '../exec.ts'
import { down, NODE_24_SLIM, toolchainEnv, up } from '../index.ts'

const IMAGE = NODE_24_SLIM.image
let env: Record<string, string> = {}
let startedHere: readonly string[] = []

/** `podman run --rm <flags> IMAGE <command>`, with our containers.conf. */
const podmanRun = (flags: readonly string[], command: readonly string[]): Captured =>
  capture('podman', ['run', '--rm', ...flags, IMAGE, ...command], { env, timeoutMs: 60_000 })

/** Asserts exit 0 and returns trimmed stdout; on failure the message carries podman's stderr. */

before(async () => {
  const report = await up()
  startedHere = report.started
  env = toolchainEnv()
})

after(async () => {
  if (startedHere.length > 0) await down()
})

describe('the node:24-slim base image', () => {
  it('runs Node 24 or newer', () => {
    const version = succeeded(podmanRun([], ['node', '-e', 'console.log(process.versions.node)']))
    assert.ok(Number(version.split('.')[0]) >= 24, `node ${version}`)
  })

  it('runs as uid 1000 (the node user, home /home/node) when asked with --user 1000', () => {
    const out = succeeded(podmanRun(['--user', '1000'], ['sh', '-c', 'id -u; id -g; id -un; echo $HOME']))
    assert.deepEqual(out.split('\n'), ['1000', '1000', 'node', '/home/node'])
  })

  it('runs read-only with every capability dropped, writing only to /tmp', () => {
    const script = `const fs = require('node:fs'); fs.writeFileSync('/tmp/x', '1');
      try { fs.writeFileSync('/x', '1'); console.log('root writable') } catch (e) { console.log(e.code) }
      console.log(require('node:fs').readFileSync('/proc/self/status', 'utf8').match(/CapEff:\\s*(\\w+)/)[1])`
    const out = succeeded(
      podmanRun(['--read-only', '--cap-drop=ALL', '--user', '1000:1000'], ['node', '-e', script]),
    )
    assert.deepEqual(out.split('\n'), ['EROFS', '0000000000000000'])
  })

  it('has tini, which runs as PID 1 and passes SIGTERM on to node', () => {
    assert.match(succeeded(podmanRun([], ['tini', '--version'])), /^tini version \d+\.\d+/)
    const script = `process.on('SIGTERM', () => { console.log('drained'); process.exit(0) });
      setTimeout(() => process.kill(1, 'SIGTERM'), 200); setTimeout(() => {}, 10_000)`
    const out = succeeded(podmanRun(['--entrypoint', '/usr/bin/tini'], ['--', 'node', '-e', script]))
    assert.equal(out, 'drained')
  })

  it("has npm, and trusts the machine's own CA certificates", () => {
    assert.match(succeeded(podmanRun([], ['npm', '--version'])), /^\d+\.\d+\.\d+$/)
    const local = readdirSync('/usr/local/share/ca-certificates').filter((f) => f.endsWith('.crt'))
    const inImage = succeeded(podmanRun([], ['ls', '/usr/local/share/ca-certificates'])).split('\n')
    for (const file of local) assert.ok(inImage.includes(file), `${file} missing from the image`)
    assert.match(succeeded(podmanRun([], ['npm', 'config', 'get', 'cafile'])), /ca-certificates\.crt$/)
  })
})

describe('docker-compose on podman through the API socket', () => {
  const project = `hs-toolchain-${process.pid}`
  const dir = mkdtempSync(join(tmpdir(), 'hs-compose-'))
  const compose = (...args: string[]): Captured =>
    capture(env.COMPOSE_BIN!, ['-p', project, ...args], { env, cwd: dir, timeoutMs: 120_000 })

  after(() => {
    compose('down', '--timeout', '5')
    rmSync(dir, { recursive: true, force: true })
  })

  it('reports its version through DOCKER_HOST', () => {
    assert.match(succeeded(compose('version', '--short')), /^\d+\.\d+\.\d+/)
  })

  it('brings up a service from the local image after another becomes healthy, then takes it down', () => {
    writeFileSync(
      join(dir, 'compose.yaml'),
      `services:
  ready:
    image: ${IMAGE}
    command: ["node", "-e", "process.on('SIGTERM', () => process.exit(0)); setInterval(() => {}, 1000)"]
    healthcheck:
      test: ["CMD", "node", "-e", "process.exit(0)"]
      interval: 1s
      retries: 3
    stop_grace_period: 10s
  hello:
    image: ${IMAGE}
    command: ["node", "-e", "console.log(1)"]
    depends_on:
      ready:
        condition: service_healthy
`,
    )
    const result = compose('up', '--exit-code-from', 'hello')
    assert.equal(result.status, 0, `compose up: ${result.stdout}\n${result.stderr}`)
    assert.match(result.stdout, /hello-1\s+\| 1$/m)
    succeeded(compose('down', '--timeout', '5'))
    const left = succeeded(
      capture('podman', ['ps', '-a', '-q', '--filter', `label=com.docker.compose.project=${project}`], {
        env,
      }),
    )
    assert.equal(left, '', 'containers left after down')
  })

  it('stops a service with SIGTERM when stop_grace_period is set (podman kills at once without it)', async () => {
    writeFileSync(
      join(dir, 'compose.yaml'),
      `services:
  worker:
    image: ${IMAGE}
    init: true
    command: ["node", "-e", "process.on('SIGTERM', () => { console.log('drained'); process.exit(0) }); console.log('up'); setInterval(() => {}, 1000)"]
    stop_grace_period: 10s
`,
    )
    succeeded(compose('up', '-d'))
    // A SIGTERM before node has installed its handler would kill it: wait for 'up' first.
    const deadline = Date.now() + 20_000
    while (!/^up$/m.test(compose('logs', '--no-log-prefix', 'worker').stdout) && Date.now() < deadline) {
      await sleep(100)
    }
    succeeded(compose('stop'))
    assert.match(succeeded(compose('logs', '--no-log-prefix', 'worker')), /^drained$/m)
    const exit = succeeded(
      capture('podman', ['inspect', '--format', '{{.State.ExitCode}}', `${project}-worker-1`], { env }),
    )
    assert.equal(exit, '0')
  })
})
