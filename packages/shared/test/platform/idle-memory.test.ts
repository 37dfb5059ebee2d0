import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { getHeapSpaceStatistics } from 'node:v8'
import { heapRelease } from '../../src/platform/heap-release.ts'
import { IdleMemory } from '../../src/platform/idle-memory.ts'

/** An IdleMemory on a hand-moved clock and record count, counting its releases. */
function harness(idleAfterMs: number) {
  const state = { now: 1_000, records: 0, releases: 0, heap: 100 }
  const idle = new IdleMemory({
    idleAfterMs,
    activity: () => state.records,
    release: () => {
      state.releases++
      state.heap = 10
    },
    now: () => state.now,
    heapTotal: () => state.heap,
  })
  return { state, idle }
}

describe('releasing the heap when a service is idle', () => {
  // Each step: ms that pass, records that flow meanwhile, whether that check releases
  const cases: { name: string; steps: [number, number, boolean][] }[] = [
    {
      name: 'once after start-up, counted from start-up, then not again while idle',
      steps: [
        [10_000, 0, false],
        [19_999, 0, false],
        [1, 0, true],
        [60_000, 0, false],
      ],
    },
    {
      name: 'records flowing keep it from releasing; it releases once they have stopped long enough',
      steps: [
        [25_000, 10, false],
        [25_000, 10, false], // busy for 50 s: never 30 s without a record
        [29_000, 0, false],
        [1_000, 0, true],
      ],
    },
    {
      name: 'again after each busy period, once per idle period',
      steps: [
        [30_000, 0, true],
        [5_000, 1, false],
        [30_000, 0, true],
        [30_000, 0, false],
        [1, 5, false],
        [30_000, 0, true],
      ],
    },
  ]
  for (const { name, steps } of cases) {
    it(name, async () => {
      const { state, idle } = harness(30_000)
      assert.equal(await idle.check(), false, 'the first look only takes the count')
      for (const [i, [ms, records, releases]] of steps.entries()) {
        state.now += ms
        state.records += records
        assert.equal(await idle.check(), releases, `step ${i + 1}`)
      }
    })
  }

  it('never releases when disabled (0)', async () => {
    const { state, idle } = harness(0)
    for (let i = 0; i < 5; i++) {
      state.now += 60_000
      assert.equal(await idle.check(), false)
    }
    assert.equal(state.releases, 0)
  })

  it('tells what the release took and gave back', async () => {
    const seen: { heapBefore: number; heapAfter: number; pauseMs: number }[] = []
    let now = 0
    const idle = new IdleMemory({
      idleAfterMs: 1,
      activity: () => 0,
      release: () => undefined,
      onRelease: (r) => seen.push(r),
      now: () => now,
      heapTotal: (() => {
        const totals = [80, 20]
        return () => totals.shift() ?? 0
      })(),
    })
    now = 5
    assert.equal(await idle.check(), true)
    assert.equal(seen.length, 1)
    assert.equal(seen[0]!.heapBefore, 80)
    assert.equal(seen[0]!.heapAfter, 20)
    assert.ok(seen[0]!.pauseMs >= 0)
  })
})

describe("the runtime's memory-reducing collection", () => {
  it('shrinks the young generation V8 grew under allocation', () => {
    const release = heapRelease()
    assert.ok(release, 'Node offers it')
    // Survivors make V8 grow its semi-spaces; keep some alive across scavenges for a while
    let keep: unknown[] = []
    const kept: unknown[][] = []
    for (let i = 0; i < 2_000_000; i++) {
      keep.push({ i, s: `s${i}` })
      if (keep.length === 20_000) {
        kept.push(keep)
        if (kept.length > 8) kept.shift()
        keep = []
      }
    }
    const newSpace = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_size
    const grown = newSpace()
    kept.length = 0
    release()
    const after = newSpace()
    assert.ok(grown >= 8 * 2 ** 20, `new space grew to ${grown} bytes`)
    assert.ok(after <= 2 * 2 ** 20, `new space ${after} bytes after the release (was ${grown})`)
    assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined', 'gc stays off the global object')
  })
})
