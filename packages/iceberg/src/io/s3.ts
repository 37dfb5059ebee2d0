/**
 * An S3 object store (any S3-compatible server: path-style addressing by default). Writes are
 * conditional (`If-None-Match: *`) so an object is never replaced; big objects go up in parts.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3'
import { IcebergError } from '../errors.ts'
import { type ObjectInfo, type ObjectStore, objectExists, objectNotFound } from './object-store.ts'

/** How to reach the S3 server. */
export interface S3ObjectStoreOptions {
  readonly endpoint?: string
  readonly region?: string
  readonly accessKeyId?: string
  readonly secretAccessKey?: string
  readonly sessionToken?: string
  /** Path-style URLs (`http://host/bucket/key`), which self-hosted servers need; default true. */
  readonly forcePathStyle?: boolean
  /** Objects above this size are uploaded in parts (default 16 MiB). */
  readonly multipartThreshold?: number
  /** Part size of multipart uploads (default 8 MiB; S3's minimum is 5 MiB). */
  readonly partSize?: number
  /** A preconfigured client (the options above are then ignored). */
  readonly client?: S3Client
}

/** Bucket and key of an `s3://bucket/key` location (`s3a://` and `s3n://` are accepted). */
export function parseS3Location(location: string): { bucket: string; key: string } {
  const m = /^s3[an]?:\/\/([^/]+)\/?(.*)$/.exec(location)
  if (!m) throw new IcebergError('INVALID_ARGUMENT', `not an S3 location: ${location}`)
  return { bucket: m[1]!, key: m[2]! }
}

function status(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode
}

function storageError(what: string, err: unknown): IcebergError {
  const s = status(err)
  return new IcebergError('STORAGE_ERROR', `S3 ${what} failed${s ? ` (HTTP ${s})` : ''}`, {
    cause: err,
    canRetry: s === undefined || s >= 500 || s === 429,
  })
}

/** Stores objects in S3 buckets. */
export class S3ObjectStore implements ObjectStore {
  readonly client: S3Client
  readonly #threshold: number
  readonly #partSize: number

  constructor(options: S3ObjectStoreOptions = {}) {
    const credentials =
      options.accessKeyId && options.secretAccessKey
        ? {
            accessKeyId: options.accessKeyId,
            secretAccessKey: options.secretAccessKey,
            sessionToken: options.sessionToken,
          }
        : undefined
    this.client =
      options.client ??
      new S3Client({
        region: options.region ?? 'us-east-1',
        forcePathStyle: options.forcePathStyle ?? true,
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        ...(credentials ? { credentials } : {}),
      })
    this.#threshold = options.multipartThreshold ?? 16 * 1024 * 1024
    this.#partSize = Math.max(options.partSize ?? 8 * 1024 * 1024, 5 * 1024 * 1024)
  }

  async put(location: string, bytes: Uint8Array): Promise<void> {
    const { bucket, key } = parseS3Location(location)
    try {
      if (bytes.length <= this.#threshold) {
        await this.client.send(
          new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, IfNoneMatch: '*' }),
        )
      } else {
        await this.#multipart(bucket, key, bytes)
      }
    } catch (err) {
      if (status(err) === 412 || status(err) === 409) throw objectExists(location, err)
      if (err instanceof IcebergError) throw err
      throw storageError(`put ${location}`, err)
    }
  }

  async #multipart(bucket: string, key: string, bytes: Uint8Array): Promise<void> {
    const { UploadId } = await this.client.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }),
    )
    try {
      const parts: { ETag: string | undefined; PartNumber: number }[] = []
      for (let offset = 0, n = 1; offset < bytes.length; offset += this.#partSize, n++) {
        const Body = bytes.subarray(offset, offset + this.#partSize)
        const { ETag } = await this.client.send(
          new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: n, Body }),
        )
        parts.push({ ETag, PartNumber: n })
      }
      await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId,
          MultipartUpload: { Parts: parts },
          IfNoneMatch: '*',
        }),
      )
    } catch (err) {
      await this.client
        .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId }))
        .catch(() => undefined)
      throw err
    }
  }

  async get(location: string): Promise<Uint8Array> {
    const { bucket, key } = parseS3Location(location)
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
      return await out.Body!.transformToByteArray()
    } catch (err) {
      if (status(err) === 404) throw objectNotFound(location, err)
      throw storageError(`get ${location}`, err)
    }
  }

  async exists(location: string): Promise<boolean> {
    const { bucket, key } = parseS3Location(location)
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))
      return true
    } catch (err) {
      if (status(err) === 404) return false
      throw storageError(`head ${location}`, err)
    }
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    const { bucket, key } = parseS3Location(prefix)
    const scheme = prefix.slice(0, prefix.indexOf('://'))
    const out: ObjectInfo[] = []
    let token: string | undefined
    do {
      const page = await this.client
        .send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, ContinuationToken: token }))
        .catch((err: unknown) => Promise.reject(storageError(`list ${prefix}`, err)))
      for (const o of page.Contents ?? []) {
        out.push({
          location: `${scheme}://${bucket}/${o.Key}`,
          size: o.Size ?? 0,
          lastModifiedMs: o.LastModified?.getTime() ?? 0,
        })
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined
    } while (token)
    return out
  }

  async delete(location: string): Promise<void> {
    const { bucket, key } = parseS3Location(location)
    await this.client
      .send(new DeleteObjectCommand({ Bucket: bucket, Key: key }))
      .catch((err: unknown) => Promise.reject(storageError(`delete ${location}`, err)))
  }
}
