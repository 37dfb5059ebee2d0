/**
 * Reads the lake with tools we do not write (pyiceberg, DuckDB's iceberg extension), through
 * packages/testkit/src/lake/read_table.py in the venv the stack builds (`npm run stack -- up python`), found
 * through LAKE_PYTHON. Values come back as read_table.py documents them: timestamps as epoch micros
 * (or ISO strings with `timestamps: 'iso'`), longs beyond 2^53 - 1 as decimal strings, binary as
 * base64, NaN / Infinity / -Infinity as strings, rows sorted by `sort` then by every column.
 */
import { execFile } from 'node:child_process'
import { join } from 'node:path'

const SCRIPTS = import.meta.dirname
const TIMEOUT_MS = 120_000

export interface S3Options {
  /** http://127.0.0.1:17070 (the scheme decides TLS). */
  readonly endpoint: string
  readonly region?: string
  /** Default: S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY (or AWS_*) of this process. */
  readonly accessKeyId?: string
  readonly secretAccessKey?: string
  /** Virtual-host-style URLs; the default path style is what local gateways need. */
  readonly virtualHost?: boolean
}

export interface TableRef {
  readonly catalog: 'sql' | 'rest'
  /** sql: SQLAlchemy URI, e.g. `sqlite:////abs/catalog.db`; rest: base URL. */
  readonly uri: string
  readonly warehouse?: string
  /** The SQL catalog's catalog_name (default 'healthstream', as read_table.py). */
  readonly catalogName?: string
  /** Dotted for nested namespaces. */
  readonly namespace: string
  readonly table: string
  readonly s3?: S3Options
  /** Extra pyiceberg catalog properties (`token` is also used by DuckDB for REST). */
  readonly properties?: Readonly<Record<string, string>>
}

export interface ReadOptions extends TableRef {
  readonly engine?: 'pyiceberg' | 'duckdb'
  /** Sort by these columns first; the remaining columns break ties. */
  readonly sort?: readonly string[]
  readonly timestamps?: 'micros' | 'iso'
  /** Only these columns (default: all). */
  readonly columns?: readonly string[]
  /** How long the reader may take (default 2 min; a million rows take longer). */
  readonly timeoutMs?: number
}

export type Row = Record<string, unknown>

export interface SnapshotInfo {
  readonly snapshotId: string
  readonly parentSnapshotId: string | null
  readonly sequenceNumber: number
  readonly timestampMs: number
  readonly operation: string | null
  /** Iceberg's summary properties as stored (all strings), `operation` included. */
  readonly summary: Record<string, string>
}

export interface FileInfo {
  readonly path: string
  readonly content: 'data' | 'position-deletes' | 'equality-deletes'
  readonly format: string
  readonly recordCount: number
  readonly fileSizeInBytes: number
  readonly partition: Record<string, unknown>
}

/** The venv's python; throws when LAKE_PYTHON is missing (tests fail, never skip). */
export function lakePython(): string {
  const python = process.env.LAKE_PYTHON
  if (python === undefined || python === '') {
    throw new Error(
      "LAKE_PYTHON is not set: run the tests with 'npm test' (it builds the readers' venv), or run " +
        "'npm run stack -- up python' and export the lines of 'npm run stack -- env'",
    )
  }
  return python
}

/** Runs one of the Python scripts next to this file in the readers' venv; resolves to its stdout. */
export function runLakeScript(
  script: string,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
  timeoutMs = TIMEOUT_MS,
): Promise<string> {
  const python = lakePython()
  return new Promise((resolve, reject) => {
    execFile(
      python,
      [join(SCRIPTS, script), ...args],
      {
        // The venv is precompiled; this keeps lakecommon.py's bytecode out of the source tree.
        env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', ...env },
        encoding: 'utf8',
        maxBuffer: 1024 * 1024 * 1024,
        timeout: timeoutMs,
      },
      (error, stdout, stderr) => {
        if (error) {
          const detail = stderr.trim() || error.message
          const shown = args.map((a) => a.replace(/^(token|credential)=.*/, '$1=***'))
          reject(new Error(`${script} ${shown.join(' ')} failed: ${detail}`, { cause: error }))
        } else resolve(stdout)
      },
    )
  })
}

/** Command-line arguments and environment for one table (shared by every script). */
export function tableArgs(ref: TableRef): { args: string[]; env: Record<string, string> } {
  const args = [
    '--catalog',
    ref.catalog,
    '--uri',
    ref.uri,
    '--namespace',
    ref.namespace,
    '--table',
    ref.table,
  ]
  const env: Record<string, string> = {}
  if (ref.warehouse !== undefined) args.push('--warehouse', ref.warehouse)
  if (ref.catalogName !== undefined) args.push('--catalog-name', ref.catalogName)
  if (ref.s3 !== undefined) {
    args.push('--s3-endpoint', ref.s3.endpoint)
    if (ref.s3.region !== undefined) args.push('--s3-region', ref.s3.region)
    if (ref.s3.virtualHost === true) args.push('--s3-virtual-host')
    if (ref.s3.accessKeyId !== undefined) env.S3_ACCESS_KEY_ID = ref.s3.accessKeyId
    if (ref.s3.secretAccessKey !== undefined) env.S3_SECRET_ACCESS_KEY = ref.s3.secretAccessKey
  }
  for (const [key, value] of Object.entries(ref.properties ?? {})) args.push('--prop', `${key}=${value}`)
  return { args, env }
}

function jsonLines<T>(text: string): T[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T)
}

async function readTableScript<T>(ref: TableRef, extra: readonly string[], timeoutMs?: number): Promise<T[]> {
  const { args, env } = tableArgs(ref)
  return jsonLines<T>(await runLakeScript('read_table.py', [...args, ...extra], env, timeoutMs))
}

/** Every row of the table's current snapshot, read by pyiceberg (default) or DuckDB. */
export function readTable(options: ReadOptions): Promise<Row[]> {
  const extra = ['--engine', options.engine ?? 'pyiceberg', '--timestamps', options.timestamps ?? 'micros']
  for (const column of options.sort ?? []) extra.push('--sort', column)
  for (const column of options.columns ?? []) extra.push('--columns', column)
  return readTableScript<Row>(options, extra, options.timeoutMs)
}

/** The current snapshot (pyiceberg), or null when the table has none yet. */
export async function snapshotSummary(ref: TableRef): Promise<SnapshotInfo | null> {
  const [snapshot] = await readTableScript<SnapshotInfo | null>(ref, ['--snapshot-summary'])
  return snapshot ?? null
}

/** Every snapshot in log order (pyiceberg). */
export function snapshots(ref: TableRef): Promise<SnapshotInfo[]> {
  return readTableScript<SnapshotInfo>(ref, ['--snapshots'])
}

/** The current snapshot's data and delete files, sorted by path (pyiceberg). */
export function tableFiles(ref: TableRef): Promise<FileInfo[]> {
  return readTableScript<FileInfo>(ref, ['--files'])
}

/**
 * Appends `rows` copies of the table's first rows with pyiceberg, the string column `mark` set to
 * `foreign-<i>`: a snapshot another tool made, without our summary properties.
 */
export async function appendCopies(
  ref: TableRef,
  rows: number,
  mark: string,
): Promise<{ snapshotId: string }> {
  const { args, env } = tableArgs(ref)
  const out = await runLakeScript('append_copies.py', [...args, '--rows', String(rows), '--mark', mark], env)
  return JSON.parse(out) as { snapshotId: string }
}
