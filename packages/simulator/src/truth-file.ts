import { once } from 'node:events'
import { createWriteStream, type WriteStream } from 'node:fs'
import { type TruthEntry, truthLine } from './truth.ts'

/** Appends ground-truth lines to a file, waiting when the disk is slower than the generator. */
export class TruthFile {
  readonly #stream: WriteStream

  constructor(path: string) {
    this.#stream = createWriteStream(path, { flags: 'w' })
  }

  async write(entries: readonly TruthEntry[]): Promise<void> {
    let text = ''
    for (const entry of entries) text += truthLine(entry)
    if (!this.#stream.write(text)) await once(this.#stream, 'drain')
  }

  async close(): Promise<void> {
    this.#stream.end()
    await once(this.#stream, 'finish')
  }
}
