/**
 * S3 from versitygw (Apache-2.0), built once with `go install` into the cache and run with its posix
 * backend on a folder under the stack directory, listening on 127.0.0.1:17070.
 *
 * The posix backend keeps object metadata (ETag, content type, user metadata) in user xattrs. On a
 * filesystem without them versitygw exits with "xattr check failed"; then set HEALTHSTREAM_S3_SIDECAR=1
 * to keep metadata in plain files next to the data instead (slower, works everywhere).
 */
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { CreateBucketCommand, HeadBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3'
import { cacheDir, serverDir } from '../paths.ts'
import type { LaunchSpec, StackServer } from '../server.ts'
import { HOST, PORTS } from '../server.ts'
import { requireTool, run } from '../tools.ts'

const VERSION = 'v1.8.0'
const MODULE = 'github.com/versity/versitygw'
const PORT = PORTS.s3
const ENDPOINT = `http://${HOST}:${PORT}`
const REGION = 'us-east-1'
const ACCESS_KEY = 'healthstream'
const SECRET_KEY = 'healthstream-secret'
const BUCKET = 'healthstream'

/** One folder per version, so bumping VERSION rebuilds instead of reusing an old binary. */
const binDir = join(cacheDir, 'bin', `versitygw-${VERSION}`)
const binary = join(binDir, 'versitygw')

/** A client for the local gateway: path-style URLs, since `<bucket>.127.0.0.1` does not resolve. */
export function s3Client(): S3Client {
  return new S3Client({
    endpoint: ENDPOINT,
    region: REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
    maxAttempts: 1, // readiness probes poll anyway; retries would only delay the error
  })
}

export const s3: StackServer = {
  name: 's3',
  ports: [PORT],

  async install() {
    if (existsSync(binary)) return
    const go = requireTool('go', 'install Go >= 1.25 (https://go.dev/dl/) to build versitygw')
    mkdirSync(binDir, { recursive: true })
    console.error(`s3: building versitygw ${VERSION} with go install (first run only, ~1-2 min)`)
    // The -X stamps the version the Makefile would, so `versitygw --version` says what we built.
    run(go, ['install', `-ldflags=-X main.Version=${VERSION}`, `${MODULE}/cmd/versitygw@${VERSION}`], {
      env: {
        GOBIN: binDir,
        // Module and build caches live in the stack cache too, so CI can keep one folder;
        // -modcacherw keeps them deletable with a plain `rm -rf`.
        GOMODCACHE: join(cacheDir, 'go', 'mod'),
        GOCACHE: join(cacheDir, 'go', 'build'),
        GOFLAGS: '-modcacherw',
        CGO_ENABLED: '0', // a static binary: no C compiler needed
      },
    })
    if (!existsSync(binary)) throw new Error(`s3: go install finished but ${binary} is missing`)
  },

  async prepare(): Promise<LaunchSpec> {
    const dir = serverDir('s3')
    const dataDir = join(dir, 'data')
    mkdirSync(dataDir, { recursive: true })
    const meta: string[] = []
    if (process.env.HEALTHSTREAM_S3_SIDECAR === '1') {
      const sidecarDir = join(dir, 'meta') // versitygw refuses a sidecar inside the data folder
      mkdirSync(sidecarDir, { recursive: true })
      meta.push('--sidecar', sidecarDir)
    }
    return {
      command: binary,
      // Global options come before the backend name; --quiet drops the per-request log lines.
      args: [
        ...['--port', `${HOST}:${PORT}`, '--region', REGION, '--quiet'],
        ...['--access', ACCESS_KEY, '--secret', SECRET_KEY],
        ...['posix', ...meta, dataDir],
      ],
      cwd: dir,
    }
  },

  async ready() {
    const client = s3Client()
    try {
      await client.send(new ListBucketsCommand({}), { abortSignal: AbortSignal.timeout(2000) })
    } finally {
      client.destroy()
    }
  },

  async afterStart() {
    const client = s3Client()
    try {
      try {
        await client.send(new HeadBucketCommand({ Bucket: BUCKET }))
      } catch {
        await client.send(new CreateBucketCommand({ Bucket: BUCKET }))
      }
    } finally {
      client.destroy()
    }
  },

  env() {
    return {
      S3_ENDPOINT: ENDPOINT,
      S3_REGION: REGION,
      S3_ACCESS_KEY_ID: ACCESS_KEY,
      S3_SECRET_ACCESS_KEY: SECRET_KEY,
      S3_BUCKET: BUCKET,
      // pyiceberg, duckdb and the AWS CLI read the standard names.
      AWS_ACCESS_KEY_ID: ACCESS_KEY,
      AWS_SECRET_ACCESS_KEY: SECRET_KEY,
      AWS_REGION: REGION,
    }
  },
}
