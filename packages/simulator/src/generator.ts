import { buildBatch, type GeneratedBatch, type Planned, resend } from './batch.ts'
import { applyFault, kindsFor } from './faults.ts'
import { MinHeap } from './heap.ts'
import { createUsers, type Device, type User } from './population.ts'
import { Rng } from './prng.ts'
import { type Cursor, collect, type Draft, openCursor } from './streams.ts'

/** What to generate. Shares are probabilities in [0, 1]. */
export interface GeneratorOptions {
  readonly seed: number
  readonly users: number
  /** Epoch ms where simulated time begins. */
  readonly start: number
  /** Share of devices whose app writes v2 (the rest write v1). */
  readonly v2Share: number
  /** Share of samples made invalid. */
  readonly invalidShare: number
  /** Share of batches uploaded twice. */
  readonly duplicateShare: number
  /** Share of samples held back and sent hours late. */
  readonly lateShare: number
  /** Share of samples moved before earlier ones in their batch. */
  readonly outOfOrderShare: number
  /** Most samples in one batch. Default 200. */
  readonly maxBatchSamples?: number
  /** Distinct samples to generate in total; unlimited when absent. */
  readonly samples?: number
  /** IANA zones the users live in, round-robin (user i in zones[i % n]); drawn from the seed when absent. */
  readonly zones?: readonly string[] | undefined
}

interface DeviceState {
  readonly key: number
  readonly user: User
  readonly device: Device
  readonly cursor: Cursor
  readonly rng: Rng
  nextUpload: number
  /** Late samples waiting for an upload at or after `releaseAt`. */
  held: { releaseAt: number; planned: Planned }[]
}

const MIN = 60_000

/**
 * The simulated population as an endless, deterministic sequence of uploads, in simulated time
 * order across devices. Pure: no I/O, no wall clock; the same options give the same batches.
 */
export class Generator {
  readonly users: readonly User[]
  /** Distinct samples generated so far (re-sent copies not counted). */
  samples = 0
  readonly #options: GeneratorOptions
  readonly #devices = new MinHeap<DeviceState>(
    (a, b) => a.nextUpload < b.nextUpload || (a.nextUpload === b.nextUpload && a.key < b.key),
  )
  readonly #queue: GeneratedBatch[] = []
  readonly #resends: { due: number; batch: GeneratedBatch }[] = []
  readonly #all: DeviceState[] = []
  #emitted = 0
  #budget: number

  constructor(options: GeneratorOptions) {
    this.#options = options
    this.#budget = options.samples ?? Number.POSITIVE_INFINITY
    this.users = createUsers(options.users, options.seed, options.v2Share, options.zones)
    for (const user of this.users) {
      for (const device of user.devices) {
        const key = this.#all.length
        const rng = new Rng(options.seed, 2_000_003 + key)
        const nextUpload = options.start + rng.int(1, device.uploadEvery) * MIN
        const state = {
          key,
          user,
          device,
          cursor: openCursor(user, device, options.start),
          rng,
          nextUpload,
          held: [],
        }
        this.#all.push(state)
        this.#devices.push(state)
      }
    }
  }

  /** Stops making new samples; `next` then flushes held-back late samples and pending re-sends. */
  stop(): void {
    this.#budget = 0
  }

  /** The next upload, or `undefined` once stopped (or the sample count reached) and flushed. */
  next(): GeneratedBatch | undefined {
    for (;;) {
      const due = this.#resends.findIndex((r) => r.due <= this.#emitted)
      if (due >= 0) return this.#emit(this.#resends.splice(due, 1)[0]!.batch)
      const queued = this.#queue.shift()
      if (queued) return this.#emit(queued)
      if (this.#budget <= 0) return this.#flush()
      const state = this.#devices.pop()!
      this.#upload(state)
      state.nextUpload += state.device.uploadEvery * MIN + state.rng.int(-5, 5) * MIN
      this.#devices.push(state)
    }
  }

  #emit(batch: GeneratedBatch): GeneratedBatch {
    this.#emitted++
    return batch
  }

  /** After the end: every held sample goes out with its device's last upload, then the re-sends. */
  #flush(): GeneratedBatch | undefined {
    for (const state of this.#all) {
      if (state.held.length === 0) continue
      const planned = state.held.map((h) => h.planned)
      const at = Math.max(state.nextUpload, ...state.held.map((h) => h.releaseAt))
      state.held = []
      this.#frame(state, planned, at, false)
      return this.#emit(this.#queue.shift()!)
    }
    const pending = this.#resends.shift()
    return pending && this.#emit(pending.batch)
  }

  #upload(state: DeviceState): void {
    const { user, device, rng } = state
    const at = state.nextUpload
    const drafts: Draft[] = []
    collect(user, device, state.cursor, at, rng, drafts)
    drafts.sort((a, b) => a.start - b.start)
    if (drafts.length > this.#budget) drafts.length = this.#budget
    this.#budget -= drafts.length
    this.samples += drafts.length
    const planned: Planned[] = []
    for (const draft of drafts) {
      if (rng.chance(this.#options.invalidShare)) applyFault(draft, rng.pick(kindsFor(draft)), user.zone, rng)
      const p: Planned = { draft, sampleId: rng.uuid(), late: false, outOfOrder: false }
      if (rng.chance(this.#options.lateShare)) {
        p.late = true
        state.held.push({ releaseAt: (draft.end ?? draft.start) + rng.between(2, 8) * 60 * MIN, planned: p })
      } else planned.push(p)
    }
    this.#release(state, planned, at)
    this.#shuffle(planned, rng)
    if (planned.length > 0) this.#frame(state, planned, at, true)
  }

  /** Late samples whose time has come join this upload at random places. */
  #release(state: DeviceState, planned: Planned[], at: number): void {
    if (state.held.length === 0) return
    const keep: DeviceState['held'] = []
    for (const h of state.held) {
      if (h.releaseAt <= at) planned.splice(state.rng.int(0, planned.length), 0, h.planned)
      else keep.push(h)
    }
    state.held = keep
  }

  #shuffle(planned: Planned[], rng: Rng): void {
    for (let i = 1; i < planned.length; i++) {
      if (!rng.chance(this.#options.outOfOrderShare)) continue
      const j = rng.int(0, i - 1)
      const moved = planned[i]!
      planned.splice(i, 1)
      planned.splice(j, 0, moved)
      moved.outOfOrder = true
    }
  }

  /** Splits into batches of at most `maxBatchSamples`, queues them and maybe a later re-send. */
  #frame(state: DeviceState, planned: readonly Planned[], at: number, mayResend: boolean): void {
    const max = this.#options.maxBatchSamples ?? 200
    const { rng } = state
    for (let i = 0; i < planned.length; i += max) {
      const uploadedAt = at + rng.int(2_000, 90_000)
      const batch = buildBatch(state.user, state.device, planned.slice(i, i + max), rng.uuid(), uploadedAt)
      this.#queue.push(batch)
      if (mayResend && rng.chance(this.#options.duplicateShare)) {
        // The app did not see the acknowledgement and uploads the same batch again a little later.
        this.#resends.push({ due: this.#emitted + this.#queue.length + rng.int(1, 20), batch: resend(batch) })
      }
    }
  }
}
