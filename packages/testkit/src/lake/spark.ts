/**
 * Spark SQL on the lake, with Apache Spark 3.5 and the Iceberg Spark runtime: the third engine we do
 * not write, for reads and for Iceberg's maintenance procedures (`CALL <catalog>.system.…`).
 *
 * One `Spark` is one JVM (packages/testkit/src/lake/spark_sql.py in the venv `npm run stack -- up spark` builds);
 * start it once per test file, since a start takes seconds. `open(ref)` gives a session of that JVM
 * whose default catalog is `ref` (named `ref.catalogName`, default 'healthstream', which for a SQL
 * catalog also selects the rows of iceberg_tables); sessions are independent, so one JVM can hold the
 * same catalog name on SQLite, PostgreSQL and REST at once. Values come back as reader.ts documents
 * them (timestamps as epoch micros, longs beyond 2^53 - 1 as strings, binary as base64, …).
 *
 *   const spark = await startSpark()
 *   const lake = await spark.open({ catalog: 'sql', uri: 'sqlite:////abs/catalog.db', warehouse })
 *   const [row] = await lake.sql('SELECT count(*) AS n FROM health.samples')
 *   await lake.sql("CALL healthstream.system.rewrite_data_files(table => 'health.samples')")
 *   await spark.close()
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { TableRef } from './reader.ts'
import { SparkSession } from './spark-session.ts'

export { SparkSession, type SqlResult, sparkIdentifier, sparkString } from './spark-session.ts'

const SCRIPT = join(import.meta.dirname, 'spark_sql.py')
const LOG_LIMIT = 256 * 1024

/** Where a catalog lives (a TableRef without the table). */
export type CatalogRef = Pick<TableRef, 'catalog' | 'uri' | 'warehouse' | 'catalogName' | 's3' | 'properties'>

export interface SparkOptions {
  /** Spark's `local[N]` (default 2, this machine's cores). */
  readonly threads?: number
  /** The driver's heap (default '1g'). */
  readonly driverMemory?: string
  /** How long the JVM may take to start (default 3 min). */
  readonly startTimeoutMs?: number
  /** Default limit per statement (default 2 min); past it the JVM is killed, see `sql`. */
  readonly statementTimeoutMs?: number
}

export type SparkErrorCode = 'SPARK_MISSING' | 'SPARK_START' | 'SPARK_SQL' | 'SPARK_TIMEOUT' | 'SPARK_EXITED'

/** A failure of Spark or of a statement; `SPARK_SQL` carries Spark's own message. */
export class SparkError extends Error {
  readonly code: SparkErrorCode
  constructor(code: SparkErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'SparkError'
    this.code = code
  }
}

function required(name: string): string {
  const value = process.env[name]
  if (value === undefined || value === '') {
    throw new SparkError(
      'SPARK_MISSING',
      `${name} is not set: run the tests with 'npm test' (it installs Spark), or run ` +
        "'npm run stack -- up spark' and export the lines of 'npm run stack -- env'",
    )
  }
  return value
}

type Pending = {
  resolve: (value: Record<string, unknown>) => void
  reject: (error: Error) => void
  timer: NodeJS.Timeout
}

/** One Spark JVM serving many statements. */
export class Spark {
  readonly #child: ChildProcess
  readonly #pending = new Map<number, Pending>()
  readonly #statementTimeoutMs: number
  #nextId = 1
  #log = ''
  #closed: SparkError | undefined
  readonly #exited: Promise<void>
  #version = ''
  #startMs = 0

  private constructor(child: ChildProcess, statementTimeoutMs: number) {
    this.#child = child
    this.#statementTimeoutMs = statementTimeoutMs
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()))
    // A write to a driver that died is reported by the exit handler, not as an unhandled EPIPE.
    child.stdin?.on('error', () => undefined)
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      if (process.env.LAKE_SPARK_DEBUG === '1') process.stderr.write(chunk)
      this.#log = (this.#log + chunk).slice(-LOG_LIMIT)
    })
    child.once('exit', (code, signal) => {
      const why = this.#closed ?? new SparkError('SPARK_EXITED', `Spark exited (${signal ?? code})`)
      this.#closed = why
      for (const [id, pending] of this.#pending) {
        clearTimeout(pending.timer)
        pending.reject(new SparkError(why.code, `${why.message}\n${this.#tail()}`))
        this.#pending.delete(id)
      }
    })
  }

  /** Starts the JVM; resolves once Spark answers. */
  static async start(options: SparkOptions = {}): Promise<Spark> {
    const python = required('LAKE_SPARK_PYTHON')
    const jars = required('LAKE_SPARK_JARS')
    const javaHome = required('LAKE_SPARK_JAVA_HOME')
    const args = [SCRIPT, '--jars', jars, '--threads', String(options.threads ?? 2)]
    args.push('--driver-memory', options.driverMemory ?? '1g')
    const child = spawn(python, args, {
      env: { ...process.env, LAKE_SPARK_JAVA_HOME: javaHome, PYTHONDONTWRITEBYTECODE: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true, // its own process group, so a kill also reaches the JVM
    })
    const spark = new Spark(child, options.statementTimeoutMs ?? 120_000)
    await spark.#listen(options.startTimeoutMs ?? 180_000)
    return spark
  }

  /** Reads the ready line, then routes every response line to its request. */
  #listen(startTimeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#kill(new SparkError('SPARK_START', `Spark did not start within ${startTimeoutMs} ms`))
      }, startTimeoutMs)
      this.#child.once('exit', () => {
        clearTimeout(timer)
        reject(new SparkError('SPARK_START', `${this.#closed?.message}; Spark's log:\n${this.#tail()}`))
      })
      this.#child.once('error', (error) =>
        reject(new SparkError('SPARK_START', error.message, { cause: error })),
      )
      const lines = createInterface({ input: this.#child.stdout! })
      lines.on('line', (line) => {
        let message: Record<string, unknown>
        try {
          message = JSON.parse(line) as Record<string, unknown>
        } catch {
          this.#log = `${this.#log}(stdout) ${line}\n`.slice(-LOG_LIMIT) // not ours: keep it as log
          return
        }
        if (message.ready === true) {
          clearTimeout(timer)
          this.#version = String(message.spark)
          this.#startMs = Number(message.ms)
          resolve()
          return
        }
        const pending = this.#pending.get(Number(message.id))
        if (pending === undefined) return
        this.#pending.delete(Number(message.id))
        clearTimeout(pending.timer)
        pending.resolve(message)
      })
    })
  }

  /** Spark's version, e.g. '3.5.9'. */
  get version(): string {
    return this.#version
  }

  /** How long the driver took from its start to a ready SparkSession (JVM start included). */
  get startMs(): number {
    return this.#startMs
  }

  /** The last part of Spark's log (stderr): warnings, and the JVM's story when it died. */
  logs(): string {
    return this.#log
  }

  #tail(): string {
    return this.#log.split('\n').slice(-30).join('\n')
  }

  #kill(reason: SparkError): void {
    this.#closed ??= reason
    try {
      if (this.#child.pid !== undefined) process.kill(-this.#child.pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }

  /**
   * Sends one request (spark_sql.py's protocol); requests run one at a time, in the order sent. A
   * timeout kills the JVM, since a statement cannot be interrupted reliably: later calls then reject.
   */
  request(
    body: Record<string, unknown>,
    timeoutMs = this.#statementTimeoutMs,
  ): Promise<Record<string, unknown>> {
    if (this.#closed !== undefined) return Promise.reject(this.#closed)
    const id = this.#nextId++
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#kill(
          new SparkError(
            'SPARK_TIMEOUT',
            `Spark took longer than ${timeoutMs} ms for ${JSON.stringify(body)}`,
          ),
        )
      }, timeoutMs)
      this.#pending.set(id, { resolve, reject, timer })
      this.#child.stdin!.write(`${JSON.stringify({ id, ...body })}\n`)
    }).then((response) => {
      if (typeof response.error === 'string') throw new SparkError('SPARK_SQL', response.error)
      return response
    })
  }

  /** A session whose default catalog is `ref`; the JVM stays the same. */
  async open(ref: CatalogRef): Promise<SparkSession> {
    const key = `s${this.#nextId}`
    const catalog = {
      type: ref.catalog,
      uri: ref.uri,
      warehouse: ref.warehouse,
      name: ref.catalogName ?? 'healthstream',
      properties: ref.properties ?? {},
      s3:
        ref.s3 === undefined
          ? undefined
          : {
              endpoint: ref.s3.endpoint,
              region: ref.s3.region,
              accessKeyId: ref.s3.accessKeyId,
              secretAccessKey: ref.s3.secretAccessKey,
              pathStyle: ref.s3.virtualHost !== true,
            },
    }
    await this.request({ op: 'open', session: key, catalog })
    return new SparkSession(this, key, catalog.name)
  }

  /** Stops Spark (stdin closed: the driver stops the session and exits); kills it after 30 s. */
  async close(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return
    this.#closed ??= new SparkError('SPARK_EXITED', 'Spark was closed')
    this.#child.stdin!.end()
    const timer = setTimeout(() => this.#kill(this.#closed!), 30_000)
    await this.#exited
    clearTimeout(timer)
  }
}

/** Starts one Spark JVM (see `Spark`). */
export function startSpark(options: SparkOptions = {}): Promise<Spark> {
  return Spark.start(options)
}
