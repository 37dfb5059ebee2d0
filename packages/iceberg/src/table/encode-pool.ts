/**
 * Parquet encoding on worker threads (`node:worker_threads`: Node, Bun and Deno), so the thread that
 * reads and decodes input goes on while earlier rows are encoded. A batch is copied to a worker as
 * plain columns (typed arrays as memory, strings as strings); the files come back moved. A worker that
 * dies fails the jobs it held (`ENCODER_FAILED`, retryable) and is replaced on the next job.
 */
import { Worker } from 'node:worker_threads'
import { type ColumnBatch, exportBatch } from '@healthstream/parquet'
import { IcebergError, type IcebergErrorCode } from '../errors.ts'
import type { PartitionSpec } from '../spec/types.ts'
import { type BatchEncodeOptions, type EncodedFile, encodeBatchFiles } from './batch-files.ts'
import type { EncodeJob } from './encode-worker.ts'

type Reply = { id: number; files: EncodedFile[] } | { id: number; error: { message: string; code?: string } }

interface Pending {
  resolve: (files: EncodedFile[]) => void
  reject: (error: unknown) => void
}

class EncodeThread {
  readonly worker = new Worker(new URL('./encode-worker.ts', import.meta.url))
  readonly pending = new Map<number, Pending>()
  dead = false

  constructor(onDeath: (thread: EncodeThread) => void) {
    this.worker.unref()
    this.worker.on('message', (reply: Reply) => {
      const p = this.pending.get(reply.id)
      this.pending.delete(reply.id)
      // An idle thread keeps no process alive; one with work does
      if (this.pending.size === 0) this.worker.unref()
      if (p === undefined) return
      if ('files' in reply) p.resolve(reply.files)
      else {
        const code = (reply.error.code ?? 'ENCODER_FAILED') as IcebergErrorCode
        p.reject(new IcebergError(code, `Parquet encoding failed: ${reply.error.message}`))
      }
    })
    const die = (cause: unknown) => {
      if (this.dead) return
      this.dead = true
      onDeath(this)
      const error = new IcebergError('ENCODER_FAILED', 'a Parquet encoding thread stopped', {
        canRetry: true,
        cause,
      })
      for (const p of this.pending.values()) p.reject(error)
      this.pending.clear()
    }
    this.worker.on('error', die)
    this.worker.on('exit', (code) => die(new Error(`exit code ${code}`)))
  }
}

/** A pool of Parquet encoding threads; `encode` is a `BatchEncoder`. */
export class ParquetEncodePool {
  readonly size: number
  #threads: EncodeThread[] = []
  #next = 0
  #closed = false

  /** `size` threads, started now (a thread takes a moment to load its modules); one that dies comes back on the next job. */
  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`pool size must be ≥ 1, got ${size}`)
    this.size = size
    while (this.#threads.length < size) this.#spawn()
  }

  /** Encodes on the least busy thread; a custom ZSTD function cannot cross threads, so it stays here. */
  readonly encode = async (
    spec: PartitionSpec,
    batch: ColumnBatch,
    options: BatchEncodeOptions,
  ): Promise<EncodedFile[]> => {
    if (options.zstd !== undefined) return encodeBatchFiles(spec, batch, options)
    if (this.#closed) throw new IcebergError('ENCODER_FAILED', 'the encode pool is closed')
    const thread = this.#thread()
    const id = this.#next++
    const job: EncodeJob = { id, schema: batch.schema, spec, columns: exportBatch(batch), options }
    return new Promise<EncodedFile[]>((resolve, reject) => {
      thread.pending.set(id, { resolve, reject })
      thread.worker.ref()
      thread.worker.postMessage(job)
    })
  }

  /** An idle thread, else a new one while there are fewer than `size`, else the least busy. */
  #thread(): EncodeThread {
    const idle = this.#threads.find((t) => t.pending.size === 0)
    if (idle !== undefined) return idle
    if (this.#threads.length < this.size) return this.#spawn()
    return this.#threads.reduce((a, b) => (b.pending.size < a.pending.size ? b : a))
  }

  #spawn(): EncodeThread {
    const t = new EncodeThread((dead) => {
      this.#threads = this.#threads.filter((x) => x !== dead)
    })
    this.#threads.push(t)
    return t
  }

  /** Stops the threads; jobs still running fail. */
  async close(): Promise<void> {
    this.#closed = true
    const threads = this.#threads
    this.#threads = []
    await Promise.all(threads.map((t) => t.worker.terminate()))
  }
}
