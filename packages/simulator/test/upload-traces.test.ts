import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseOptions } from '../src/options.ts'
import { UploadTraces } from '../src/upload-traces.ts'

const W3C = /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/

describe('UploadTraces', () => {
  const cases = [
    { name: 'sends no traceparent unless asked', traceShare: 0, traceSampledShare: 1, traced: 0, sampled: 0 },
    {
      name: 'gives every upload a sampled one at share 1',
      traceShare: 1,
      traceSampledShare: 1,
      traced: 1000,
      sampled: 1000,
    },
    {
      name: 'marks none sampled at sampled share 0',
      traceShare: 1,
      traceSampledShare: 0,
      traced: 1000,
      sampled: 0,
    },
  ]
  for (const c of cases) {
    it(c.name, () => {
      const traces = new UploadTraces(42, c)
      const sent = Array.from({ length: 1000 }, () => traces.next()).filter((t) => t !== undefined)
      assert.equal(sent.length, c.traced)
      assert.equal(sent.filter((t) => t.endsWith('-01')).length, c.sampled)
      assert.deepEqual([traces.traced, traces.sampled], [c.traced, c.sampled])
      for (const t of sent) assert.match(t, W3C)
      assert.equal(new Set(sent.map((t) => t.slice(3, 35))).size, sent.length, 'a trace id per upload')
    })
  }

  it('traces about the share asked for, the same uploads for the same seed, with new ids each run', () => {
    const run = () => {
      const traces = new UploadTraces(7, { traceShare: 0.3, traceSampledShare: 0.5 })
      return Array.from({ length: 2000 }, () => traces.next())
    }
    const [first, second] = [run(), run()]
    const sent = first.filter((t) => t !== undefined)
    assert.ok(sent.length > 500 && sent.length < 700, `${sent.length} of 2000 traced`)
    const shape = (ts: (string | undefined)[]) => ts.map((t) => t?.slice(-2))
    assert.deepEqual(shape(first), shape(second), 'the same uploads traced and sampled')
    assert.notDeepEqual(first, second, 'under new trace ids')
  })

  it('reads --trace-share and --trace-sampled, refusing a share outside [0, 1]', () => {
    const env = { KAFKA_BROKERS: 'k:9092', SCHEMA_REGISTRY_URL: 'http://r' }
    const o = parseOptions(['--trace-share', '0.25', '--trace-sampled', '0.5'], env, 0)!
    assert.deepEqual([o.traceShare, o.traceSampledShare], [0.25, 0.5])
    assert.deepEqual(
      [parseOptions([], env, 0)!.traceShare, parseOptions([], env, 0)!.traceSampledShare],
      [0, 1],
    )
    assert.throws(() => parseOptions(['--trace-share', '2'], env, 0), /--trace-share/)
  })
})
