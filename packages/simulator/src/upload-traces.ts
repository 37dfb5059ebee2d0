/**
 * W3C trace contexts for uploads, as a phone's OpenTelemetry SDK would send them: a `traceparent`
 * header naming the phone's upload span, so the pipeline's trace starts at the phone. Which uploads
 * are traced and sampled follows the seed (a stream of its own, so turning traces on changes no
 * sample); the ids are random, as a phone's are, so two runs with one seed never share a trace.
 */
import { randomBytes } from 'node:crypto'
import { Rng } from './prng.ts'

/** Which uploads carry a trace context, and how many of those are sampled. */
export interface UploadTraceOptions {
  /** Share of uploads with a `traceparent` (0: none, the default). */
  readonly traceShare: number
  /** Share of those marked sampled (flag 01); the rest propagate unsampled (00). */
  readonly traceSampledShare: number
}

/** A random non-zero id of `bytes` bytes, in hex (all zeros is invalid in W3C trace context). */
function id(bytes: number): string {
  for (;;) {
    const out = randomBytes(bytes).toString('hex')
    if (/[^0]/.test(out)) return out
  }
}

/** Hands out the `traceparent` of each upload in turn, or undefined for an untraced one. */
export class UploadTraces {
  readonly #options: UploadTraceOptions
  readonly #rng: Rng
  traced = 0
  sampled = 0

  constructor(seed: number, options: UploadTraceOptions) {
    this.#options = options
    this.#rng = new Rng(seed, 0x7ace)
  }

  next(): string | undefined {
    const { traceShare, traceSampledShare } = this.#options
    if (traceShare <= 0 || !this.#rng.chance(traceShare)) return undefined
    const sampled = this.#rng.chance(traceSampledShare)
    this.traced++
    if (sampled) this.sampled++
    return `00-${id(16)}-${id(8)}-${sampled ? '01' : '00'}`
  }
}
