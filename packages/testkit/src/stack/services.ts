import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { SERVICE_NODE_FLAGS } from './node-flags.ts'
import { projectRoot } from './paths.ts'

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789'

/** A service process started by a test: the real `main.ts`, the real servers. */
export class ServiceProcess {
  readonly name: string
  readonly #env: NodeJS.ProcessEnv
  #child: ChildProcess | undefined
  #port: number | undefined
  #exits: { code: number | null; signal: string | null }[] = []
  /** Every line the process logged, across restarts. */
  readonly lines: string[] = []

  /** The runtime command and its arguments before the script (default: this Node, as the images run it). */
  readonly #runtime: readonly string[]

  constructor(
    name: string,
    env: Record<string, string>,
    runtime: readonly string[] = [process.execPath, ...SERVICE_NODE_FLAGS],
  ) {
    this.name = name
    this.#runtime = runtime
    this.#env = {
      ...process.env,
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      HTTP_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      ...env,
    }
  }

  /** The same service and environment, run by another runtime (e.g. `[bunPath]`). */
  onRuntime(runtime: readonly string[]): ServiceProcess {
    return new ServiceProcess(this.name, this.#env as Record<string, string>, runtime)
  }

  /** Starts the process and resolves once it logged `started` (HTTP up, topics ready). */
  async start(timeoutMs = 60_000): Promise<void> {
    const [command, ...args] = this.#runtime
    const child = spawn(command!, [...args, join(projectRoot, 'services', this.name, 'src', 'main.ts')], {
      env: this.#env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    this.#child = child
    this.#port = undefined
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line === '') continue
        this.lines.push(line)
        if (line.includes('"msg":"started"')) this.#port = (JSON.parse(line) as { port: number }).port
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', (code, signal) => this.#exits.push({ code, signal }))
    const deadline = Date.now() + timeoutMs
    while (this.#port === undefined) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`${this.name} exited during start-up:\n${this.lines.slice(-20).join('\n')}`)
      }
      if (Date.now() > deadline) throw new Error(`${this.name} did not start within ${timeoutMs} ms`)
      await sleep(50)
    }
  }

  get port(): number {
    if (this.#port === undefined) throw new Error(`${this.name} is not running`)
    return this.#port
  }

  get pid(): number | undefined {
    return this.#child?.pid
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null
  }

  /** Exits that were not caused by the test (kill -9 or SIGTERM). */
  get unexpectedExits(): { code: number | null; signal: string | null }[] {
    return this.#exits.filter((e) => e.signal !== 'SIGKILL' && e.signal !== 'SIGTERM' && e.code !== 0)
  }

  fetch(path: string, init?: RequestInit): Promise<Response> {
    return fetch(`http://127.0.0.1:${this.port}${path}`, init)
  }

  /** A crash: no shutdown code runs, the open transaction is left to be fenced/aborted. */
  async kill9(): Promise<void> {
    await this.#signal('SIGKILL')
  }

  /** A graceful stop (finish or abort the open transaction, leave the group). */
  async stop(): Promise<void> {
    await this.#signal('SIGTERM')
  }

  async #signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.#child
    if (child === undefined || !this.running) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill(signal)
    await exited
  }
}

/** Polls until `check` returns true, or fails with `what` after the timeout. */
export async function eventually(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(500)
  }
}
