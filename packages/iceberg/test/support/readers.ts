/**
 * Runs packages/testkit/src/lake/read_table.py (pyiceberg or DuckDB, readers we do not write) and returns the
 * rows it prints. The venv's python comes from LAKE_PYTHON, else `.stack/venv/bin/python`; a
 * missing venv fails the test (build it with `npm run stack -- up python`). S3 keys come from the
 * stack's environment.
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { parseJson } from '../../src/json/lossless.ts'
import { stackEnv } from './stack.ts'

const ROOT = join(import.meta.dirname, '..', '..', '..', '..')

/** Which table to read, and how. */
export interface ReadTableArgs {
  readonly catalog: 'sql' | 'rest'
  readonly uri: string
  readonly warehouse?: string
  readonly catalogName?: string
  readonly namespace: string
  readonly table: string
  readonly engine?: 'pyiceberg' | 'duckdb'
  readonly sort?: readonly string[]
  readonly s3Endpoint?: string
  readonly mode?: '--snapshot-summary' | '--snapshots' | '--files'
}

function python(): string {
  const p = process.env.LAKE_PYTHON ?? join(ROOT, '.stack', 'venv', 'bin', 'python')
  if (!existsSync(p))
    throw new Error(`no reader venv at ${p}: set LAKE_PYTHON or run 'npm run stack -- up python'`)
  return p
}

/** Runs read_table.py and parses its JSON lines (longs beyond 2^53 arrive as strings). */
export function readTable(args: ReadTableArgs): Promise<unknown[]> {
  const argv = [
    join(ROOT, 'packages', 'testkit', 'src', 'lake', 'read_table.py'),
    '--catalog',
    args.catalog,
    '--uri',
    args.uri,
  ]
  if (args.warehouse) argv.push('--warehouse', args.warehouse)
  if (args.catalogName) argv.push('--catalog-name', args.catalogName)
  argv.push('--namespace', args.namespace, '--table', args.table, '--engine', args.engine ?? 'pyiceberg')
  for (const column of args.sort ?? []) argv.push('--sort', column)
  if (args.s3Endpoint) argv.push('--s3-endpoint', args.s3Endpoint)
  if (args.mode) argv.push(args.mode)
  return new Promise((resolve, reject) => {
    execFile(
      python(),
      argv,
      { timeout: 120_000, maxBuffer: 64 << 20, env: stackEnv() },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`read_table.py failed: ${stderr || err.message}`))
        else
          resolve(
            stdout
              .split('\n')
              .filter((l) => l.trim() !== '')
              .map((l) => parseJson(l)),
          )
      },
    )
  })
}
