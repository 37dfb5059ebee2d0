/** Integration test against the stack's real S3 (versitygw; `npm run stack -- up s3`). */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
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
import { endpoint, uniqueName } from '@healthstream/testkit/stack'

const MB = 1024 * 1024

function connect(t: { after(fn: () => unknown): void }): { client: S3Client; bucket: string } {
  const client = new S3Client({
    endpoint: endpoint('S3_ENDPOINT'),
    region: endpoint('S3_REGION'),
    forcePathStyle: true,
    credentials: {
      accessKeyId: endpoint('S3_ACCESS_KEY_ID'),
      secretAccessKey: endpoint('S3_SECRET_ACCESS_KEY'),
    },
  })
  t.after(() => client.destroy())
  return { client, bucket: endpoint('S3_BUCKET') }
}

test('put, get byte-equal, list by prefix, delete', async (t) => {
  const { client, bucket } = connect(t)
  const prefix = `${uniqueName('stack-test')}/`
  const key = `${prefix}part-0001.bin`
  const body = randomBytes(64 * 1024)
  await client.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/octet-stream' }),
  )
  t.after(() => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })))

  const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
  assert.equal(got.ContentType, 'application/octet-stream')
  assert.ok(
    body.equals(Buffer.from(await got.Body!.transformToByteArray())),
    'object differs from what was put',
  )

  const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))
  assert.deepEqual(
    listed.Contents?.map((o) => [o.Key, o.Size]),
    [[key, body.length]],
  )

  await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }))
  const after = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))
  assert.equal(after.KeyCount, 0)
})

test('a ~12 MB multipart upload reads back with the same size and bytes', async (t) => {
  const { client, bucket } = connect(t)
  const key = `${uniqueName('stack-multipart')}/big.bin`
  // Parts of 5 MiB (the S3 minimum for all but the last), so three parts: 5 + 5 + 2 MiB.
  const parts = [randomBytes(5 * MB), randomBytes(5 * MB), randomBytes(2 * MB)]
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }))
  assert.ok(UploadId)
  let completed = false
  // A failed run must not leave the parts behind in the gateway's temp folder.
  t.after(async () => {
    if (!completed) await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId }))
  })
  const uploaded = []
  for (const [i, part] of parts.entries()) {
    const PartNumber = i + 1
    const { ETag } = await client.send(
      new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber, Body: part }),
    )
    uploaded.push({ ETag, PartNumber })
  }
  await client.send(
    new CompleteMultipartUploadCommand({
      Bucket: bucket,
      Key: key,
      UploadId,
      MultipartUpload: { Parts: uploaded },
    }),
  )
  completed = true
  t.after(() => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })))

  const expected = Buffer.concat(parts)
  const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))
  assert.equal(head.ContentLength, expected.length)
  const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
  const bytes = Buffer.from(await got.Body!.transformToByteArray())
  assert.equal(bytes.length, expected.length)
  assert.ok(bytes.equals(expected), 'multipart object differs from the uploaded parts')
})
