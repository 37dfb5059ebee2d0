/**
 * A real Prometheus for tests: Debian's `prometheus` package (prometheus and promtool, installed
 * with apt-get like the stack's Redis), run on 127.0.0.1 with a configuration written here, and
 * asked through its HTTP API.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { aptInstall, onPath } from '../stack/apt.ts'
import { toYaml } from './files.ts'

const HINT = "install the Debian package 'prometheus' (apt-get install -y prometheus)"

/** Installs Debian's `prometheus` package unless `prometheus` and `promtool` are on PATH. */
export function ensurePrometheus(): void {
  if (onPath('prometheus') && onPath('promtool')) return
  // The package's postinst starts the distro's own Prometheus on :9090; aptInstall stops it.
  aptInstall('prometheus', ['prometheus'], 'prometheus', HINT)
}

/** Runs promtool; its exit status and what it printed. */
export function promtool(args: readonly string[], cwd?: string): { status: number | null; output: string } {
  const result = spawnSync('promtool', args, { cwd, encoding: 'utf8' })
  return { status: result.status, output: `${result.stdout}${result.stderr}` }
}

/** One scraped service instance. */
export interface ScrapeTarget {
  readonly service: string
  /** `host:port` of its HTTP server. */
  readonly address: string
}

/** A configuration scraping `targets` (each labelled with its `service`) and loading `ruleFiles`. */
export function prometheusConfig(options: {
  readonly targets: readonly ScrapeTarget[]
  readonly ruleFiles: readonly string[]
  /** Scrape and evaluation interval. */
  readonly interval: string
}): string {
  return toYaml({
    global: { scrape_interval: options.interval, evaluation_interval: options.interval },
    rule_files: options.ruleFiles,
    scrape_configs: [
      {
        job_name: 'healthstream',
        metrics_path: '/metrics',
        static_configs: options.targets.map((t) => ({
          targets: [t.address],
          labels: { service: t.service },
        })),
      },
    ],
  })
}

/** One series of a query's answer. */
export interface Sample {
  readonly metric: Record<string, string>
  readonly value: [number, string]
}

/** One alert as /api/v1/alerts shows it. */
export interface ActiveAlert {
  readonly labels: Record<string, string>
  readonly state: 'pending' | 'firing'
  readonly activeAt: string
  readonly value: string
}

/** A Prometheus server this process started. */
export class PrometheusServer {
  readonly url: string
  readonly #child: ChildProcess
  readonly #log: string[]

  private constructor(url: string, child: ChildProcess, log: string[]) {
    this.url = url
    this.#child = child
    this.#log = log
  }

  /** Writes `config` to `dir`/prometheus.yml and starts Prometheus on it; resolves once it is ready. */
  static async start(options: { dir: string; config: string; port: number }): Promise<PrometheusServer> {
    const configFile = join(options.dir, 'prometheus.yml')
    writeFileSync(configFile, options.config)
    const address = `127.0.0.1:${options.port}`
    const child = spawn(
      'prometheus',
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${join(options.dir, 'data')}`,
        `--web.listen-address=${address}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    const log: string[] = []
    const keep = (chunk: Buffer) => log.push(...chunk.toString('utf8').split('\n').filter(Boolean))
    child.stdout?.on('data', keep)
    child.stderr?.on('data', keep)
    const server = new PrometheusServer(`http://${address}`, child, log)
    const deadline = Date.now() + 30_000
    while (!(await server.#ready())) {
      if (child.exitCode !== null) throw new Error(`prometheus exited:\n${log.slice(-10).join('\n')}`)
      if (Date.now() > deadline)
        throw new Error(`prometheus not ready within 30 s:\n${log.slice(-10).join('\n')}`)
      await sleep(200)
    }
    return server
  }

  /** What Prometheus logged (warnings and errors). */
  get log(): readonly string[] {
    return this.#log
  }

  /** An instant query; throws with Prometheus' message when the expression is rejected. */
  async query(expr: string): Promise<Sample[]> {
    const response = await fetch(`${this.url}/api/v1/query?${new URLSearchParams({ query: expr })}`)
    const body = (await response.json()) as { status: string; error?: string; data?: { result: Sample[] } }
    if (body.status !== 'success') throw new Error(`${expr}: ${body.error ?? response.status}`)
    return body.data!.result
  }

  /** The alerts pending or firing now. */
  async alerts(): Promise<ActiveAlert[]> {
    const response = await fetch(`${this.url}/api/v1/alerts`)
    return ((await response.json()) as { data: { alerts: ActiveAlert[] } }).data.alerts
  }

  /** Every rule with its health: `ok`, or `err` and the error of its last evaluation. */
  async rules(): Promise<{ name: string; health: string; lastError?: string }[]> {
    const response = await fetch(`${this.url}/api/v1/rules`)
    const body = (await response.json()) as {
      data: { groups: { rules: { name: string; health: string; lastError?: string }[] }[] }
    }
    return body.data.groups.flatMap((g) => g.rules)
  }

  /** Stops the server (SIGTERM) and waits for it to exit. */
  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return
    const exited = new Promise((resolve) => this.#child.once('exit', resolve))
    this.#child.kill('SIGTERM')
    await exited
  }

  async #ready(): Promise<boolean> {
    try {
      return (await fetch(`${this.url}/-/ready`)).ok
    } catch {
      return false
    }
  }
}
