/**
 * A garbage collection that gives memory back to the system, on the runtime the service runs on.
 * V8 grows its young generation to 2 × 32 MiB and its old space to several times its live data under
 * load (and while loading modules at start-up), and keeps what it grew while the process idles: a
 * memory-reducing collection ("last resort", the one V8 runs before it gives up on an allocation)
 * shrinks the young generation to 1 MiB and the old space to what is live. Bun's full collection does
 * the same for its heap. A runtime without such a call gets `undefined`.
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

/** Runs a memory-reducing collection synchronously. */
export type HeapRelease = () => void

type V8Gc = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void

/** The runtime's memory-reducing collection, or `undefined` where it offers none. */
export function heapRelease(): HeapRelease | undefined {
  const bun = (globalThis as { Bun?: { gc(force: boolean): void } }).Bun
  if (bun !== undefined) return () => bun.gc(true)
  try {
    // V8's gc extension, without putting `gc` on this realm's global object
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as V8Gc | undefined
    if (typeof gc !== 'function') return undefined
    return () => gc({ type: 'major', execution: 'sync', flavor: 'last-resort' })
  } catch {
    return undefined
  }
}
