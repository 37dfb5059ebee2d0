import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { describe, it } from 'node:test'

const FIXTURE = new URL('./fixtures/shell-service.ts', import.meta.url).pathname
const TOKEN = 'fixture-admin-token-0123'

/** The fixture service as a process, its stdout and stderr collected line by line. */
function start(env: Record<string, string>) {
  const child = spawn(process.execPath, [FIXTURE], {
    env: {
      ...process.env,
      ADMIN_TOKEN: TOKEN,
      HTTP_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      INSTANCE_ID: 'i-1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const out: string[] = []
  let err = ''
  child.stdout.on('data', (chunk: Buffer) => out.push(...chunk.toString('utf8').split('\n').filter(Boolean)))
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8')
  })
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>
  const messages = () => out.map((l) => (JSON.parse(l) as { msg: string }).msg)
  return { child, out, stderr: () => err, exited, messages }
}

async function startedPort(p: ReturnType<typeof start>): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const line = p.out.find((l) => l.includes('"msg":"started"'))
    if (line !== undefined) return (JSON.parse(line) as { port: number }).port
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`the fixture did not start:\n${p.stderr()}`)
}

function stop(child: ChildProcess): void {
  if (child.exitCode === null) child.kill('SIGTERM')
}

describe('the service shell', () => {
  it('stops start-up with exit 78 and a message naming each bad variable', async () => {
    for (const [env, named] of [
      [{ HTTP_PORT: 'eighty' }, /HTTP_PORT/],
      [{ ADMIN_TOKEN: 'short' }, /ADMIN_TOKEN/],
      [
        { SCHEMA_REGISTRY_AUTH: 'no-colon' },
        /SCHEMA_REGISTRY_AUTH must be "user:password" or "Bearer <token>"/,
      ],
      [{ FIXTURE_LIMIT: '11' }, /FIXTURE_LIMIT=11 is above 10/],
      [
        { KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_TLS_CA_FILE: '/nonexistent/ca.crt' },
        /KAFKA_TLS_CA_FILE="\/nonexistent\/ca.crt" cannot be read: ENOENT\n {2}KAFKA_SASL_MECHANISM is required/,
      ],
      [
        { KAFKA_SASL_PASSWORD: 'pa55-w0rd-never-shown' },
        /KAFKA_SASL_PASSWORD is set, but .* uses no SASL\n$/,
      ],
    ] as const) {
      const p = start(env)
      const [code] = await p.exited
      assert.equal(code, 78, JSON.stringify(env))
      assert.match(p.stderr(), /^fixture: invalid configuration:\n {2}/)
      assert.match(p.stderr(), named)
      assert.deepEqual(p.out, [], 'nothing logged: the logger needs the configuration')
    }
  })

  it('serves health, readiness, metrics and the admin routes, and stops on SIGTERM with exit 0', async (t) => {
    const p = start({})
    t.after(() => stop(p.child))
    const port = await startedPort(p)
    const started = JSON.parse(p.out.find((l) => l.includes('"msg":"started"'))!)
    assert.deepEqual([started.instance, started.inputs, started.service], ['i-1', ['in'], 'fixture'])
    const get = (path: string, auth = false) =>
      fetch(`http://127.0.0.1:${port}${path}`, auth ? { headers: { authorization: `Bearer ${TOKEN}` } } : {})
    const post = (path: string) =>
      fetch(`http://127.0.0.1:${port}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}` },
      })
    assert.equal((await get('/healthz')).status, 200)
    assert.equal((await get('/readyz')).status, 200)
    assert.match(await (await get('/metrics')).text(), /healthstream_records_in_total/)
    assert.equal((await get('/admin/status')).status, 401)
    assert.deepEqual(await (await get('/admin/status', true)).json(), {
      service: 'fixture',
      instance: 'i-1',
      paused: false,
      instanceSeen: 'i-1',
    })
    assert.deepEqual(await (await post('/admin/ping')).json(), { pong: true })
    assert.equal(await (await get('/extra')).text(), 'extra')
    await post('/admin/pause')
    assert.equal(((await (await get('/admin/status', true)).json()) as { paused: boolean }).paused, true)

    p.child.kill('SIGTERM')
    const [code] = await p.exited
    assert.equal(code, 0)
    // In any order: pino writes asynchronously, and the lines flushed at exit may pass one in flight
    for (const line of ['stopping', 'worker closed', 'stopped']) assert.ok(p.messages().includes(line), line)
    assert.equal(JSON.parse(p.out.find((l) => l.includes('"msg":"stopping"'))!).signal, 'SIGTERM')
  })

  it('exits 1 when its start is refused, logging what to check beside the error (no password)', async () => {
    const p = start({
      SHELL_FIXTURE: 'refused',
      KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'healthstream-validator',
      KAFKA_SASL_PASSWORD: 'pa55-w0rd-never-shown',
    })
    const [code] = await p.exited
    assert.equal(code, 1)
    const fatal = p.out.map((l) => JSON.parse(l)).find((l) => l.level === 'fatal')
    assert.equal(fatal?.msg, 'start-up failed; exiting so the process is restarted')
    assert.match(
      fatal?.hint,
      /^authentication failed: Kafka refused KAFKA_SASL_USERNAME="healthstream-validator"/,
    )
    assert.ok(![...p.out, p.stderr()].join('\n').includes('pa55-w0rd-never-shown'))
  })

  it('exits 1 after logging a fatal error of the work, once it has released what the work held', async (t) => {
    const p = start({ SHELL_FIXTURE: 'fail' })
    t.after(() => stop(p.child))
    const [code] = await p.exited
    assert.equal(code, 1)
    const fatal = p.out.map((l) => JSON.parse(l)).find((l) => l.level === 'fatal')
    assert.equal(fatal?.msg, 'fatal error; exiting so the process is restarted')
    assert.equal(fatal?.err?.message, 'the work failed')
    for (const line of ['worker closed', 'stopped']) assert.ok(p.messages().includes(line), line)
  })
})
